#include "wire/protojson.hpp"

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

namespace userstream::api::detail {

namespace {
namespace pb = google::protobuf;

constexpr std::string_view type_url_prefix = "type.googleapis.com";

// protobuf's descriptor-pool resolver with each answer kept. Types of the generated pool never change, so a kept
// answer stays right; the set of types is the API's few messages, so the cache stays small.
class cached_type_resolver final : public pb::util::TypeResolver {
public:
    cached_type_resolver()
        : inner_(pb::util::NewTypeResolverForDescriptorPool(std::string(type_url_prefix),
                                                            pb::DescriptorPool::generated_pool())) {}

    pb::util::Status ResolveMessageType(const std::string& type_url, pb::Type* message_type) override {
        return resolve(types_, type_url, message_type,
                       [this](const std::string& url, pb::Type* out) { return inner_->ResolveMessageType(url, out); });
    }

    pb::util::Status ResolveEnumType(const std::string& type_url, pb::Enum* enum_type) override {
        return resolve(enums_, type_url, enum_type,
                       [this](const std::string& url, pb::Enum* out) { return inner_->ResolveEnumType(url, out); });
    }

private:
    template <class T, class Resolve>
    pb::util::Status resolve(std::unordered_map<std::string, T>& cache, const std::string& url, T* out,
                             const Resolve& from_inner) {
        {
            const std::shared_lock lock(mutex_);
            if (const auto it = cache.find(url); it != cache.end()) {
                *out = it->second;
                return pb::util::Status();
            }
        }
        T resolved;
        auto status = from_inner(url, &resolved);
        if (!status.ok()) return status;  // unknown types are not kept: a client could name any number of them
        *out = resolved;
        const std::unique_lock lock(mutex_);
        cache.emplace(url, std::move(resolved));
        return status;
    }

    std::unique_ptr<pb::util::TypeResolver> inner_;
    std::shared_mutex mutex_;
    std::unordered_map<std::string, pb::Type> types_;
    std::unordered_map<std::string, pb::Enum> enums_;
};

cached_type_resolver& resolver() {
    static cached_type_resolver instance;
    return instance;
}

std::string type_url(const pb::Message& message) {
    std::string out(type_url_prefix);
    out += '/';
    out += message.GetDescriptor()->full_name();
    return out;
}
}  // namespace

pb::util::Status message_to_json(const pb::Message& message, std::string* output) {
    return pb::util::BinaryToJsonString(&resolver(), type_url(message), message.SerializeAsString(), output,
                                        pb::util::JsonPrintOptions());
}

pb::util::Status json_to_message(std::string_view json, pb::Message* message,
                                 const pb::util::JsonParseOptions& options) {
    std::string binary;
    auto status = pb::util::JsonToBinaryString(&resolver(), type_url(*message),
                                               pb::StringPiece(json.data(), json.size()), &binary, options);
    if (status.ok() && !message->ParseFromString(binary)) {
        return pb::util::InvalidArgumentError("JSON transcoder produced invalid protobuf output.");
    }
    return status;
}

}  // namespace userstream::api::detail
