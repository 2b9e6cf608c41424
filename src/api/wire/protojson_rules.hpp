// The rules of Go's protojson (which grpc-gateway and connect-go use in ZITADEL) that protobuf C++'s JSON parser does
// not apply, held against a request's JSON after that parser has read it.
//
// protobuf C++ 3.21 takes what Go refuses, and a client can tell: a field named twice (the last wins, or two objects
// for one message field merge), once by its JSON name and once by its proto name, even when one of them is `null`;
// the strings "true", "yes", "t", "1" (and their false forms) for a bool; a single value or nested lists for a
// repeated field and `null` in a list; "+1" or "01" for an integer, 1e-400 as 0; an object for a Timestamp, and a
// Timestamp with more than nine fraction digits. Go refuses all of these. An enum given as a number in a string ("1")
// is a name Go does not know, so Go leaves the field unset (unknown enum names are discarded with unknown fields);
// protobuf C++ sets the number. check_go_protojson_rules refuses the first and clears such an enum field, so the
// message is the one Go would make.
//
// What Go accepts stays accepted: JSON and proto names, unknown fields (skipped, however deep), `null` for any field
// (unset), numbers as strings and 1.0 or 1e2 for integers, enum numbers, members of one oneof beside `null` ones.
// Maps, floats, bytes' base64 and the well-known types other than Timestamp are not looked into (the API's requests
// have none), nor are enums and messages inside lists made as Go makes them. The JSON must already be RFC 8259 JSON
// (the API checks that first): on other text the walk may stop early and leave the verdict to the parser. One pass
// over the text; no allocation unless a key or a value holds escapes, or an enum is given by name.
#pragma once

#include <string_view>

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

namespace userstream::api::detail {

// Given `json`, from which protobuf's parser made `message`: OK, having cleared the enum fields Go would leave unset,
// or InvalidArgument naming the field (never quoting a value) when Go's protojson refuses `json` for this message.
google::protobuf::util::Status check_go_protojson_rules(std::string_view json, google::protobuf::Message& message);

}  // namespace userstream::api::detail
