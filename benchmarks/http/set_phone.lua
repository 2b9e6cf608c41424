-- wrk script for benchmarks/http/http_bench.py: v1 UpdateHumanPhone (the seed's SetPhone request) on rotating users,
-- alternating two numbers so that every request changes the phone (a repeat would be COMMAND-wF94r, not a write).
--
-- Environment: BENCH_MODE "rest" (PUT /management/v1/users/{id}/phone, JSON) or "connect" (Connect binary POST
-- /zitadel.management.v1.ManagementService/UpdateHumanPhone, application/proto); BENCH_TOKEN, BENCH_ORG;
-- BENCH_PREFIX and BENCH_USERS_PER_THREAD name the users "<prefix>-<thread>-<n>" (made beforehand); BENCH_RESULT is
-- the file the summary is written to as JSON.
--
-- Each wrk thread owns its users and walks them in turn, so a user comes round again after BENCH_USERS_PER_THREAD of
-- the thread's requests: enough (4096 by default) that no request is still in flight when the next one for its user
-- is sent, so no request meets a conflict or a phone "not changed".
local mode = os.getenv("BENCH_MODE") or "rest"
local token = os.getenv("BENCH_TOKEN") or ""
local org = os.getenv("BENCH_ORG") or "bench-org"
local prefix = os.getenv("BENCH_PREFIX") or "b"
local users = tonumber(os.getenv("BENCH_USERS_PER_THREAD") or "4096")
local numbers = { "+41 71 000 00 00", "+41 79 123 45 67" }

local next_thread = 0
function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

-- A protobuf length-delimited field (every string here is shorter than 128 bytes, so its length is one byte).
local function proto_string(field, s)
  return string.char(field * 8 + 2, #s) .. s
end

local prepared = {}
function init(args)
  for u = 0, users - 1 do
    local id = prefix .. "-" .. thread_id .. "-" .. u
    for k = 1, 2 do
      local headers = { ["Authorization"] = "Bearer " .. token, ["x-zitadel-orgid"] = org }
      if mode == "rest" then
        headers["Content-Type"] = "application/json"
        headers["Accept"] = "application/json"
        local body = '{"phone":"' .. numbers[k] .. '","isPhoneVerified":true}'
        prepared[u * 2 + k] = wrk.format("PUT", "/management/v1/users/" .. id .. "/phone", headers, body)
      else
        headers["Content-Type"] = "application/proto"
        headers["Connect-Protocol-Version"] = "1"
        -- UpdateHumanPhoneRequest: user_id = 1, phone = 2, is_phone_verified = 3 (varint true)
        local body = proto_string(1, id) .. proto_string(2, numbers[k]) .. string.char(3 * 8, 1)
        prepared[u * 2 + k] = wrk.format("POST", "/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                         headers, body)
      end
    end
  end
end

local i = 0
function request()
  local u = i % users
  local round = math.floor(i / users)
  i = i + 1
  return prepared[u * 2 + (round % 2) + 1]
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
  local percentiles = {}
  for _, p in ipairs({ 1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97, 98, 99, 99.5, 99.9, 99.99 }) do
    table.insert(percentiles, string.format("[%g, %d]", p, latency:percentile(p)))
  end
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}, "latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p99": %d}, ' ..
    '"percentiles_us": [%s]}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency.mean, latency.max, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), table.concat(percentiles, ", ")))
  out:close()
end
