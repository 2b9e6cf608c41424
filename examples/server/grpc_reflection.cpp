#include "grpc_reflection.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/support/status_code_enum.h>

#include <unordered_set>

#include "grpc/reflection/v1/reflection.pb.h"
#include "grpc/reflection/v1alpha/reflection.pb.h"

namespace server {

namespace {

namespace pb = google::protobuf;

constexpr std::string_view v1_method = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
constexpr std::string_view v1alpha_method = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

template <class Response>
void answer_error(Response& response, grpc::StatusCode code, std::string_view message) {
    auto& error = *response.mutable_error_response();
    error.set_error_code(static_cast<int>(code));
    error.set_error_message(std::string(message));
}

// The file first, then its imports depth-first, each once: a client builds its pool from the answer alone.
template <class Response>
void add_with_imports(const pb::FileDescriptor& file, Response& response, std::unordered_set<std::string>& added) {
    if (!added.insert(file.name()).second) return;
    pb::FileDescriptorProto proto;
    file.CopyTo(&proto);
    proto.SerializeToString(response.mutable_file_descriptor_response()->add_file_descriptor_proto());
    for (int i = 0; i < file.dependency_count(); ++i) add_with_imports(*file.dependency(i), response, added);
}

template <class Response>
void answer_file(const pb::FileDescriptor* file, std::string_view not_found, Response& response) {
    if (file == nullptr) return answer_error(response, grpc::StatusCode::NOT_FOUND, not_found);
    std::unordered_set<std::string> added;
    add_with_imports(*file, response, added);
}

template <class Request, class Response>
std::optional<std::string> answer(std::string_view bytes, const std::vector<std::string>& services) {
    Request request;
    if (!request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
    Response response;
    response.set_valid_host(request.host());
    *response.mutable_original_request() = request;
    const pb::DescriptorPool& pool = *pb::DescriptorPool::generated_pool();
    switch (request.message_request_case()) {
    case Request::kListServices:
        for (const auto& name : services) response.mutable_list_services_response()->add_service()->set_name(name);
        break;
    case Request::kFileByFilename:
        answer_file(pool.FindFileByName(request.file_by_filename()), "File not found.", response);
        break;
    case Request::kFileContainingSymbol:
        answer_file(pool.FindFileContainingSymbol(request.file_containing_symbol()), "Symbol not found.", response);
        break;
    case Request::kFileContainingExtension: {
        const auto& wanted = request.file_containing_extension();
        const auto* type = pool.FindMessageTypeByName(wanted.containing_type());
        if (type == nullptr) {
            answer_error(response, grpc::StatusCode::NOT_FOUND, "Type not found.");
            break;
        }
        const auto* extension = pool.FindExtensionByNumber(type, wanted.extension_number());
        answer_file(extension == nullptr ? nullptr : extension->file(), "Extension not found.", response);
        break;
    }
    case Request::kAllExtensionNumbersOfType: {
        const auto* type = pool.FindMessageTypeByName(request.all_extension_numbers_of_type());
        if (type == nullptr) {
            answer_error(response, grpc::StatusCode::NOT_FOUND, "Type not found.");
            break;
        }
        std::vector<const pb::FieldDescriptor*> extensions;
        pool.FindAllExtensions(type, &extensions);
        auto& numbers = *response.mutable_all_extension_numbers_response();
        numbers.set_base_type_name(request.all_extension_numbers_of_type());
        for (const auto* extension : extensions) numbers.add_extension_number(extension->number());
        break;
    }
    default:  // no request field set, or one from a later version of reflection.proto
        answer_error(response, grpc::StatusCode::UNIMPLEMENTED, "");
        break;
    }
    return response.SerializeAsString();
}

}  // namespace

std::optional<reflection_version> reflection_method_version(std::string_view method) {
    if (method == v1_method) return reflection_version::v1;
    if (method == v1alpha_method) return reflection_version::v1alpha;
    return std::nullopt;
}

std::vector<std::string> reflected_services(std::vector<std::string> served) {
    served.emplace_back("grpc.health.v1.Health");
    served.emplace_back("grpc.reflection.v1.ServerReflection");
    served.emplace_back("grpc.reflection.v1alpha.ServerReflection");
    return served;
}

std::optional<std::string> answer_reflection_request(reflection_version version, std::string_view request,
                                                     const std::vector<std::string>& services) {
    namespace v1 = grpc::reflection::v1;
    namespace v1alpha = grpc::reflection::v1alpha;
    if (version == reflection_version::v1)
        return answer<v1::ServerReflectionRequest, v1::ServerReflectionResponse>(request, services);
    return answer<v1alpha::ServerReflectionRequest, v1alpha::ServerReflectionResponse>(request, services);
}

}  // namespace server
