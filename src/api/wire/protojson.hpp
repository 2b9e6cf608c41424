// protobuf's JSON mapping (protojson, as grpc-gateway and Connect write it) for the API's messages, with the type
// descriptions kept between calls.
//
// protobuf's MessageToJsonString and JsonStringToMessage convert through google.protobuf.Type descriptions that its
// resolver builds from the descriptors anew on every call (the Type of the message and of each nested message, with
// a Field per field): for a SetPhone answer that was about half the cost of writing its JSON. These functions make the
// same conversion (BinaryToJsonString and JsonToBinaryString, the calls those two are made of) through a resolver that
// builds each Type once and hands out copies, so the output is byte for byte the same. message_to_json first writes
// the JSON straight from the message for the field types the API's messages use (plain ASCII strings, bool, integers,
// enums, Timestamp, nested and repeated messages) and leaves anything else to that conversion;
// tests/api/protojson_test.cpp compares its output with protobuf's for every message of the API.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

namespace userstream::api::detail {

// As google::protobuf::util::MessageToJsonString (default options), for messages of the generated pool.
google::protobuf::util::Status message_to_json(const google::protobuf::Message& message, std::string* output);

// As google::protobuf::util::JsonStringToMessage, for messages of the generated pool, held to Go's protojson rules
// where protobuf's parser is laxer (wire/protojson_rules.hpp): InvalidArgument for a field named twice, a string for a
// bool and the like, and an enum given as a number in a string left unset. When one of those rules refused the JSON,
// `rule_broken` (if given) is set to true: that status message names the field and never quotes a value, unlike the
// parser's own messages, which can quote the body.
google::protobuf::util::Status json_to_message(std::string_view json, google::protobuf::Message* message,
                                               const google::protobuf::util::JsonParseOptions& options,
                                               bool* rule_broken = nullptr);

}  // namespace userstream::api::detail
