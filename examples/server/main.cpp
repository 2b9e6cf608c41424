// userstream-server: ZITADEL's user phone API (REST, Connect, gRPC-Web) over HTTP/1.1, with the projections and the
// SMS outbox running in the same process. docs/server.md is the manual; this file only wires the parts together:
//
//   flags -> tokens, store, key ring -> user_service, user_projections, api_handler, sms_outbox -> http_server
//
// Standard output carries exactly these lines, each flushed at once (scripts read them):
//   dev admin token: <token>                                          --dev without --tokens, once, before:
//   userstream-server grpc listening on HOST:PORT                     with --grpc-listen, once ready, before:
//   userstream-server listening on http://HOST:PORT                   once the server is ready
//   SMS to <phone> (user <id>): your verification code is <code>      --dev only, per SMS
// Everything else (access log, diagnostics) goes to standard error.
//
// Exit status: 0 after a clean shutdown (SIGINT/SIGTERM); 2 for a bad command line or an unusable token or key file
// (the message names the flag); 1 when the server cannot start (store, listen address) or requests were still
// running when the shutdown bound passed.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "access_log.hpp"
#include "batched_line_writer.hpp"
#include "console.hpp"
#include "debug_endpoints.hpp"
#include "dev_mode.hpp"
#ifdef USERSTREAM_SERVER_GRPC
#include <fmt/format.h>

#include "grpc_listener.hpp"
#endif
#include "http_server.hpp"
#include "outbox_authorizer.hpp"
#include "server_metrics.hpp"
#include "server_options.hpp"
#include "shutdown_signal.hpp"
#include "sms_senders.hpp"
#include "store_backing.hpp"
#include "timed_store.hpp"
#include "userstream/api/api_handler.hpp"
#include "userstream/projections/user_projections.hpp"
#include "userstream/user/key_ring_file.hpp"
#include "userstream/user/sms_outbox.hpp"
#include "userstream/user/user_service.hpp"

namespace {

using namespace std::chrono_literals;
namespace us = userstream;

constexpr auto shutdown_bound = 10s;
const us::user::caller outbox_caller{"userstream-sms-outbox", ""};

void say(const std::string& line) { server::print_stderr_line("userstream-server: " + line); }

// Many idle connections need many descriptors: use what the hard limit allows.
void raise_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

std::uint64_t behind(us::eventstore::global_position head, us::eventstore::global_position checkpoint) {
    return head.value > checkpoint.value ? head.value - checkpoint.value : 0;
}

int serve(const server::server_options& options, server::shutdown_signal& stop) {
    // Configuration the operator names with a flag: a problem here is theirs to fix (exit 2).
    us::backends::store_location location;
    try {
        location = us::backends::locate_store(options.store_url);
    } catch (const std::exception& e) {
        throw server::usage_error(std::string("--store: ") + e.what());
    }
    std::optional<us::api::token_file> tokens;
    std::optional<std::string> dev_token;
    if (options.tokens_file) {
        try {
            tokens = us::api::token_file::load(*options.tokens_file);
        } catch (const std::exception& e) {
            throw server::usage_error(std::string("--tokens: ") + e.what());
        }
    } else {
        auto admin = server::make_dev_admin();
        tokens = std::move(admin.tokens);
        dev_token = std::move(admin.token);
    }
    us::user::key_ring keys;
    try {
        if (options.keys_file) {
            us::user::load_key_ring(keys, *options.keys_file);
        } else {
            server::load_dev_key_ring(keys, server::dev_key_ring_path(location));
        }
    } catch (const std::invalid_argument& e) {
        throw server::usage_error(std::string(options.keys_file ? "--keys: " : "--dev key ring: ") + e.what());
    }

    server::server_metrics metrics;
    auto backing = server::open_store_backing(options.store_url);
    server::timed_store store(*backing.store, [&metrics](double seconds) { metrics.observe_commit(seconds); });

    server::outbox_authorizer permissions(*tokens, outbox_caller);
    us::user::user_service_config service_config;
    service_config.phone = options.phone;
    us::user::user_service users(store, permissions, keys, service_config);
    std::unique_ptr<us::projections::user_projections> read_side =
        backing.details ? std::make_unique<us::projections::user_projections>(store, *backing.details, *backing.phones)
                        : std::make_unique<us::projections::user_projections>(store);
    us::api::api_options api_options;
    api_options.log = [](std::string_view line) { say(std::string(line)); };
    const us::api::api_handler api(users, *read_side, *tokens, *tokens, api_options);

    std::unique_ptr<us::user::sms_sender> sender;
    if (options.dev) {
        sender = std::make_unique<server::console_sms_sender>();
        if (options.dev_sms_failure_rate) {  // a test fault injector (docs/soak.md)
            sender = std::make_unique<server::flaky_sms_sender>(std::move(sender), *options.dev_sms_failure_rate);
        }
    } else {
        sender = std::make_unique<server::unconfigured_sms_sender>();
    }
    us::user::sms_outbox_config outbox_config;
    outbox_config.reader_name = backing.outbox_reader;
    outbox_config.recorder = outbox_caller;
    outbox_config.lease = backing.outbox_lease.get();
    // Without a provider every attempt fails alike: give the code up at once instead of retrying.
    if (!options.dev) outbox_config.max_send_attempts = 1;
    const us::system_clock time;
    us::user::sms_outbox outbox(store, users, keys, time, *sender, *backing.outbox_checkpoints, outbox_config);

    // Before the listeners, so that it outlives them: their last exchanges are logged while they shut down.
    server::batched_line_writer access_log([](std::string_view lines) { server::print_stderr_lines(lines); });
    server::debug_endpoints debug(metrics);
    server::http_server_config http_config;
    http_config.host = options.host;
    http_config.port = options.port;
    http_config.worker_threads = options.worker_threads;
    http_config.max_connections = options.max_connections;
    http_config.idle_timeout = options.idle_timeout;
    server::http_handlers handlers;
    handlers.at_once = [&debug](const us::api::api_request& request) { return debug.answer_at_once(request); };
    handlers.on_worker = [&debug, &api](const us::api::api_request& request) {
        if (auto out = debug.answer_on_worker(request)) return std::move(*out);
        return api.handle(request);
    };
    handlers.finished = [&metrics, &access_log](const server::finished_exchange& done) {
        const auto route = server::route_label(done.method, done.target);
        metrics.observe_request(done.method, route, done.status, done.seconds);
        access_log.write_line(server::access_log_line(done.method, route, done.status, done.seconds));
    };
    server::http_server http(http_config, std::move(handlers));

#ifdef USERSTREAM_SERVER_GRPC
    // Native gRPC on a second address: the same API through api_handler::call, counted beside the HTTP requests.
    std::unique_ptr<server::grpc_listener> grpc;
    const auto served = api.methods();
    const std::unordered_set<std::string> served_methods(served.begin(), served.end());
    if (options.grpc_host) {
        server::grpc_listener_config grpc_config;
        grpc_config.host = *options.grpc_host;
        grpc_config.port = options.grpc_port;
        grpc_config.worker_threads = options.worker_threads;
        grpc_config.max_message_bytes = http_config.body_limit;
        server::grpc_handlers grpc_handlers;
        grpc_handlers.call = [&api](std::string_view method, std::string_view request, const us::api::rpc_metadata& m) {
            return api.call(method, request, m);
        };
        grpc_handlers.finished = [&metrics, &served_methods, &access_log](const server::finished_call& done) {
            // Unknown methods share one label, so that clients cannot make unbounded series.
            const std::string method =
                served_methods.contains(std::string(done.method)) ? std::string(done.method) : "unmatched";
            const auto code = server::grpc_code_name(done.code);
            metrics.observe_grpc_call(method, code, done.seconds);
            access_log.write_line(
                fmt::format("access grpc method={} code={} duration_ms={:.3f}", method, code, done.seconds * 1000.0));
        };
        grpc = std::make_unique<server::grpc_listener>(grpc_config, std::move(grpc_handlers));
    }
#endif

    const std::string checkpoint_reader = backing.outbox_reader;
    metrics.set_sources({
        .projection_lag =
            [&]() {
                const auto head = store.head();
                return std::vector<std::pair<std::string, std::uint64_t>>{
                    {"object_details", behind(head, read_side->details_runner().checkpoint())},
                    {"user_phones", behind(head, read_side->phone_runner().checkpoint())}};
            },
        .outbox_pending = [&]() { return behind(store.head(), backing.outbox_checkpoints->load(checkpoint_reader)); },
        .outbox_status = [&]() { return outbox.status(); },
        .connections = [&]() { return http.connections(); },
    });

    // Listening before the read models caught up: /debug/healthz answers (and /debug/ready says 503) meanwhile.
    http.start();
    read_side->start();
    const auto head = store.head();
    for (int waited = 1; !read_side->wait_for(head, 1s); ++waited) {
        if (stop.requested()) break;
        if (waited % 10 == 0) {
            const auto& runner = read_side->phone_runner();
            const auto problem = runner.activity().last_error;
            say("catching up: the read models are " + std::to_string(behind(head, runner.checkpoint())) +
                " events behind" + (problem ? " (" + *problem + ")" : std::string()));
        }
    }
    if (!stop.requested()) {
        debug.set_ready(true);
        if (dev_token) server::print_stdout_line("dev admin token: " + *dev_token);
#ifdef USERSTREAM_SERVER_GRPC
        if (grpc) {
            grpc->set_serving(true);
            server::print_stdout_line("userstream-server grpc listening on " + grpc->host());
        }
#endif
        server::print_stdout_line("userstream-server listening on http://" + http.host());
        outbox.start();
        stop.wait();
    }

    stop.draining();
    debug.set_ready(false);
    say("shutting down: no new connections; finishing the requests in flight");
    // Both listeners drain at once, within the same bound.
    std::future<bool> grpc_drained = std::async(std::launch::deferred, [] { return true; });
#ifdef USERSTREAM_SERVER_GRPC
    if (grpc) grpc_drained = std::async(std::launch::async, [&grpc] { return grpc->shutdown(shutdown_bound); });
#endif
    const bool http_drained = http.shutdown(shutdown_bound);
    if (!grpc_drained.get() || !http_drained) {
        // Their workers still use the service and the store; nothing they do was acknowledged to a client.
        say("requests still running after the shutdown bound; exiting without waiting for them");
        access_log.flush();
        std::fflush(stdout);
        std::fflush(stderr);
        ::_exit(1);
    }
    outbox.stop();
    read_side->stop();
    access_log.flush();  // every exchange's line before the last one
    say("stopped");
    return 0;  // the store, read models and checkpoints close as they go out of scope
}

}  // namespace

int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);  // a peer or a reader of our output that went away is an error, not a death
    server::server_options options;
    try {
        options = server::parse_server_options(std::vector<std::string>(argv + 1, argv + argc));
        if (options.help) {
            std::fputs(server::usage_text().c_str(), stdout);
            return 0;
        }
        server::check_required(options);
    } catch (const server::usage_error& e) {
        say(e.what());
        return 2;
    }
    server::shutdown_signal stop;  // before any other thread starts
    raise_descriptor_limit();
    try {
        return serve(options, stop);
    } catch (const server::usage_error& e) {
        say(e.what());
        return 2;
    } catch (const std::exception& e) {
        say(std::string("cannot start: ") + e.what());
        return 1;
    }
}
