// ZITADEL's official TypeScript client (@zitadel/client, on connect-es 2), unchanged, against userstream-server.
//
// The server is started here on a fresh SQLite file in dev mode with a token file written here, so the test
// controls its callers: an administrator of o1, a member of o1 without permissions, and one user per transport
// who calls the Auth API as themself. The same scenario then runs once over each transport ZITADEL's clients use:
// Connect with binary protobuf (connect-node's default), Connect with JSON, and gRPC-Web, all on HTTP/1.1; and native
// gRPC on HTTP/2 (what createServerTransport in @zitadel/client/node wraps), on the server's --grpc-listen port.
// Every call goes through the client factories of @zitadel/client and its own bearer-token interceptor; nothing of
// the client is patched, so whatever the server answers must be readable by ZITADEL's own client code.
//
// USERSTREAM_SERVER names the server binary (CTest passes it).
//
//   node --test official_client_test.mjs

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";

import { Code, ConnectError } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
// @zitadel/client 1.3.1's type declarations re-export Code and ConnectError, but its JavaScript does not, so they
// come from @connectrpc/connect, the one copy the client itself uses.
import { NewAuthorizationBearerInterceptor } from "@zitadel/client";
import { createAuthServiceClient, createManagementServiceClient } from "@zitadel/client/v1";
import { createUserServiceClient } from "@zitadel/client/v2";
import { toJson } from "@bufbuild/protobuf";
import { ErrorDetailSchema } from "@zitadel/proto/zitadel/message_pb.js";
import { SetPhoneResponseSchema } from "@zitadel/proto/zitadel/user/v2/user_service_pb.js";
import { UserState } from "@zitadel/proto/zitadel/user/v2/user_pb.js";

const serverBinary = process.env.USERSTREAM_SERVER;
const org = "o1";

// One run of the scenario per transport. `contentType` is what the transport must have sent, so each run is known
// to have exercised the protocol it is named after.
const transports = [
  {
    name: "Connect, binary (createConnectTransport's default)",
    slug: "connect-proto",
    contentType: "application/proto",
    create: (baseUrl, interceptors) => createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors }),
  },
  {
    name: "Connect, JSON (createConnectTransport with useBinaryFormat: false)",
    slug: "connect-json",
    contentType: "application/json",
    create: (baseUrl, interceptors) =>
      createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, interceptors }),
  },
  {
    name: "gRPC-Web (createGrpcWebTransport)",
    slug: "grpc-web",
    contentType: "application/grpc-web+proto",
    create: (baseUrl, interceptors) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors }),
  },
  {
    name: "gRPC over HTTP/2 (createGrpcTransport, as createServerTransport)",
    slug: "grpc",
    contentType: "application/grpc+proto",
    listener: "grpc",
    create: (baseUrl, interceptors) => createGrpcTransport({ baseUrl, httpVersion: "2", interceptors }),
  },
];

const tokens = {
  admin: "node-admin-token-o1",
  member: "node-member-token-o1",
  user: (slug) => `node-user-token-${slug}`,
};
const userIdFor = (slug) => `node-user-${slug}`;

function tokenFile() {
  return {
    tokens: [
      { token: tokens.admin, userId: "node-admin", orgId: org, permissions: { [org]: ["user.read", "user.write"] } },
      { token: tokens.member, userId: "node-member", orgId: org, permissions: {} },
      ...transports.map(({ slug }) => ({ token: tokens.user(slug), userId: userIdFor(slug), orgId: org, permissions: {} })),
    ],
  };
}

// The server process, with every line it printed on stdout kept so a test can wait for one (the listening line,
// an SMS the dev sender printed).
class ServerProcess {
  constructor(binary, args) {
    this.lines = [];
    this.stderr = "";
    this.waiters = [];
    this.child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        for (const w of this.waiters) w.reject(new Error(`the server exited (${code ?? signal}) while waiting for ${w.pattern}\n${this.stderr}`));
        this.waiters = [];
        resolve(this.exit);
      });
    });
    this.child.on("error", (e) => {
      for (const w of this.waiters) w.reject(e);
      this.waiters = [];
    });
    this.child.stderr.setEncoding("utf8").on("data", (chunk) => { this.stderr += chunk; });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        const m = w.pattern.exec(line);
        if (m) w.resolve(m);
        return !m;
      });
    });
  }

  // The first stdout line from index `from` on that matches `pattern`.
  waitFor(pattern, { from = 0, timeoutMs = 15_000 } = {}) {
    for (const line of this.lines.slice(from)) {
      const m = pattern.exec(line);
      if (m) return Promise.resolve(m);
    }
    if (this.exit) return Promise.reject(new Error(`the server has exited (${JSON.stringify(this.exit)})\n${this.stderr}`));
    return new Promise((resolve, reject) => {
      const waiter = { pattern, resolve, reject };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no stdout line matched ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter.resolve = (m) => { clearTimeout(timer); resolve(m); };
      waiter.reject = (e) => { clearTimeout(timer); reject(e); };
      this.waiters.push(waiter);
    });
  }

  async stop(timeoutMs = 20_000) {
    if (!this.exit) this.child.kill("SIGTERM");
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
    const exit = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (exit === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    return exit;
  }
}

// Awaits a call that must fail, and returns the ConnectError after checking its code and its zitadel.v1.ErrorDetail
// id, read the way a client of ZITADEL reads it.
async function rejects(call, code, errorId) {
  let error;
  try {
    const response = await call;
    assert.fail(`expected ${Code[code]} (${errorId}), got a response: ${JSON.stringify(response, (_k, v) => (typeof v === "bigint" ? `${v}` : v))}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    error = e;
  }
  assert.ok(error instanceof ConnectError, `not a ConnectError: ${error}`);
  assert.equal(Code[error.code], Code[code], `code of: ${error.message}`);
  const details = error.findDetails(ErrorDetailSchema);
  assert.deepEqual(details.map((d) => d.id), [errorId], `ErrorDetail ids of: ${error.message}`);
  assert.equal(error.rawMessage, `${details[0].message} (${errorId})`);
  return error;
}

function assertDetails(details, label) {
  assert.ok(details, `${label}: details`);
  assert.equal(details.resourceOwner, org, `${label}: resourceOwner`);
  assert.ok(details.sequence > 0n, `${label}: sequence ${details.sequence}`);
  assert.ok(details.changeDate, `${label}: changeDate`);
}

let server;
let baseUrl;
let grpcBaseUrl;
let workDir;

before(async () => {
  assert.ok(serverBinary, "USERSTREAM_SERVER must name the userstream-server binary");
  workDir = mkdtempSync(join(tmpdir(), "userstream-node-client-"));
  const tokensPath = join(workDir, "tokens.json");
  writeFileSync(tokensPath, JSON.stringify(tokenFile()), { mode: 0o600 });
  server = new ServerProcess(serverBinary, [
    "--dev", "--listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0", "--store", `sqlite:${join(workDir, "userstream.db")}`,
    "--tokens", tokensPath,
  ]);
  // Printed before the HTTP line, so it is there once that one is.
  const [, grpcAddress] = await server.waitFor(/^userstream-server grpc listening on (127\.0\.0\.1:\d+)$/);
  grpcBaseUrl = `http://${grpcAddress}`;
  const [, url] = await server.waitFor(/^userstream-server listening on (http:\/\/127\.0\.0\.1:\d+)$/);
  baseUrl = url;
});

after(async () => {
  if (server) {
    const exit = await server.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    assert.deepEqual(exit, { code: 0, signal: null }, `SIGTERM must stop the server with exit 0\n${server.stderr}`);
  } else if (workDir) {
    rmSync(workDir, { recursive: true, force: true });
  }
});

for (const transport of transports) {
  describe(transport.name, () => {
    const userId = userIdFor(transport.slug);
    const username = `ada-${transport.slug}`;
    const email = `ada.${transport.slug}@example.com`;
    const sent = new Set();
    // Records the content type each request went out with (after the transport set it).
    const recordContentType = (next) => async (req) => {
      sent.add(req.header.get("content-type"));
      return next(req);
    };
    const as = (token) =>
      transport.create(transport.listener === "grpc" ? grpcBaseUrl : baseUrl, token ? [recordContentType, NewAuthorizationBearerInterceptor(token)] : [recordContentType]);
    let users, management, auth, memberManagement, memberUsers, anonymousUsers, anonymousManagement;

    before(() => {
      const admin = as(tokens.admin);
      users = createUserServiceClient(admin);
      management = createManagementServiceClient(admin);
      auth = createAuthServiceClient(as(tokens.user(transport.slug)));
      const member = as(tokens.member);
      memberManagement = createManagementServiceClient(member);
      memberUsers = createUserServiceClient(member);
      const anonymous = as(null);
      anonymousUsers = createUserServiceClient(anonymous);
      anonymousManagement = createManagementServiceClient(anonymous);
    });

    test("v2: addHumanUser, setPhone with returnCode, verifyPhone, getUserByID, resendPhoneCode, removePhone", async () => {
      const added = await users.addHumanUser({
        userId,
        username,
        organization: { org: { case: "orgId", value: org } },
        profile: { givenName: "Ada", familyName: "Lovelace" },
        email: { email, verification: { case: "isVerified", value: true } },
      });
      assert.equal(added.userId, userId);
      assertDetails(added.details, "addHumanUser");
      assert.equal(added.phoneCode, undefined);
      assert.equal(added.emailCode, undefined);

      const set = await users.setPhone({ userId, phone: "+41 71 000 00 01", verification: { case: "returnCode", value: {} } });
      assertDetails(set.details, "setPhone");
      assert.match(set.verificationCode ?? "", /^\S+$/, "setPhone with returnCode returns the code");
      // The response as the client decoded it, in ZITADEL's JSON form, so a run shows each transport's round trip.
      console.log(`${transport.slug} setPhone answered ${JSON.stringify(toJson(SetPhoneResponseSchema, set))}`);

      const verified = await users.verifyPhone({ userId, verificationCode: set.verificationCode });
      assertDetails(verified.details, "verifyPhone");
      assert.ok(verified.details.sequence > set.details.sequence);

      const { user, details } = await users.getUserByID({ userId });
      assertDetails(details, "getUserByID");
      assert.equal(user.userId, userId);
      assert.equal(user.username, username);
      assert.equal(user.state, UserState.ACTIVE);
      assert.deepEqual(user.loginNames, [username]);
      assert.equal(user.preferredLoginName, username);
      assert.equal(user.type.case, "human");
      const human = user.type.value;
      assert.equal(human.profile.givenName, "Ada");
      assert.equal(human.profile.familyName, "Lovelace");
      assert.equal(human.email.email, email);
      assert.equal(human.email.isVerified, true);
      assert.equal(human.phone.phone, "+41710000001");
      assert.equal(human.phone.isVerified, true);

      // A resend needs a code still pending, so a second number is set first; the resent code then verifies it.
      const second = await users.setPhone({ userId, phone: "+41 71 000 00 02", verification: { case: "returnCode", value: {} } });
      assert.match(second.verificationCode ?? "", /^\S+$/);
      const resent = await users.resendPhoneCode({ userId, verification: { case: "returnCode", value: {} } });
      assertDetails(resent.details, "resendPhoneCode");
      assert.match(resent.verificationCode ?? "", /^\S+$/, "resendPhoneCode with returnCode returns a code");
      await users.verifyPhone({ userId, verificationCode: resent.verificationCode });
      const afterResend = await users.getUserByID({ userId });
      assert.deepEqual(
        { phone: afterResend.user.type.value.phone.phone, isVerified: afterResend.user.type.value.phone.isVerified },
        { phone: "+41710000002", isVerified: true });

      const removed = await users.removePhone({ userId });
      assertDetails(removed.details, "removePhone");
      const afterRemove = await users.getUserByID({ userId });
      // As ZITADEL, the human keeps an empty phone message.
      const phone = afterRemove.user.type.value.phone;
      assert.deepEqual({ phone: phone?.phone, isVerified: phone?.isVerified }, { phone: "", isVerified: false });
    });

    test("v1: updateHumanPhone with the x-zitadel-orgid header, getHumanPhone", async () => {
      const headers = { "x-zitadel-orgid": org };
      const updated = await management.updateHumanPhone({ userId, phone: "+41 71 000 00 03", isPhoneVerified: true }, { headers });
      assertDetails(updated.details, "updateHumanPhone");
      const read = await management.getHumanPhone({ userId }, { headers });
      assert.deepEqual({ phone: read.phone.phone, isPhoneVerified: read.phone.isPhoneVerified },
                       { phone: "+41710000003", isPhoneVerified: true });
      assertDetails(read.details, "getHumanPhone");
    });

    test("auth v1: setMyPhone, verifyMyPhone with the code of the SMS the dev sender printed", async () => {
      const mark = server.lines.length;
      const set = await auth.setMyPhone({ phone: "+41 71 000 00 04" });
      assertDetails(set.details, "setMyPhone");
      // The outbox delivers after the command returned; the dev sender prints the SMS on stdout.
      const escaped = userId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const [, to, code] = await server.waitFor(
        new RegExp(`^SMS to (.+) \\(user ${escaped}\\): your verification code is (\\S+)$`), { from: mark });
      assert.equal(to.replace(/\s/g, ""), "+41710000004");
      const verified = await auth.verifyMyPhone({ code });
      assertDetails(verified.details, "verifyMyPhone");
      const read = await management.getHumanPhone({ userId }, { headers: { "x-zitadel-orgid": org } });
      assert.deepEqual({ phone: read.phone.phone, isPhoneVerified: read.phone.isPhoneVerified },
                       { phone: "+41710000004", isPhoneVerified: true });
    });

    test("errors: the same verified number again is FailedPrecondition COMMAND-wF94r", async () => {
      const headers = { "x-zitadel-orgid": org };
      const error = await rejects(
        management.updateHumanPhone({ userId, phone: "+41 71 000 00 04", isPhoneVerified: true }, { headers }),
        Code.FailedPrecondition, "COMMAND-wF94r");
      assert.equal(error.rawMessage, "Phone not changed (COMMAND-wF94r)");
    });

    test("errors: a member of o1 without permissions is PermissionDenied", async () => {
      await rejects(
        memberManagement.updateHumanPhone({ userId, phone: "+41 71 000 00 05", isPhoneVerified: true },
                                          { headers: { "x-zitadel-orgid": org } }),
        Code.PermissionDenied, "AUTH-5mWD2");
      await rejects(memberUsers.getUserByID({ userId }), Code.PermissionDenied, "AUTH-AWfge");
    });

    test("errors: without a token the call is Unauthenticated", async () => {
      await rejects(anonymousUsers.getUserByID({ userId }), Code.Unauthenticated, "US-API-token-missing");
      await rejects(anonymousManagement.getHumanPhone({ userId }, { headers: { "x-zitadel-orgid": org } }),
                    Code.Unauthenticated, "US-API-token-missing");
    });

    test(`every request went out as ${transport.contentType}`, () => {
      assert.deepEqual([...sent], [transport.contentType]);
    });
  });
}
