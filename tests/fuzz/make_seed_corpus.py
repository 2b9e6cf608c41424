#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets other than api_handle (whose seeds make_api_corpus writes) into
tests/fuzz/corpus/<target>/: a few valid inputs of each shape the target's header comment describes. Run it after
changing an input layout; it replaces only the files it writes (seed-*), never regressions or files added by hand."""
import base64
import pathlib
import struct

here = pathlib.Path(__file__).resolve().parent / "corpus"


def write(target, name, data):
    d = here / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data if isinstance(data, bytes) else data.encode())


# phone: a choice byte (bit 0 v2, bits 1-2 policy, bits 3-5 region), then the number.
numbers = ["+41 71 000 00 00", "071 000 00 00", "tel:+41-71-000-00-00", "0041710000000", "+1 650 253 0000",
           "+4112", "12", "", " ", "+49 30 1234567", "+44 20 7946 0958", "+41 71 000 00 00 ext. 12", "+800 1234 5678"]
for i, number in enumerate(numbers):
    for choice in (0, 1, 2, 4, 5, 9, 48):
        write("phone", f"{i:02}-{choice:02}", bytes([choice]) + number.encode())

# event_codec: the type name, a newline, the payload.
crypted = base64.b64encode(bytes(range(40))).decode()
code = '{"CryptoType":0,"Algorithm":"aes-256-gcm-aad-v1","KeyID":"k1","Crypted":"%s"}' % crypted
human = ('{"userName":"minnie","firstName":"Minnie","lastName":"Mouse","nickName":"m","displayName":"Minnie Mouse",'
         '"preferredLanguage":"de-CH","gender":1,"email":"minnie@example.com","phone":"+41710000000"}')
events = {
    "user.human.added": [human, "{}"],
    "user.human.selfregistered": [human],
    "user.human.initialization.code.added": [""],
    "user.human.initialization.check.succeeded": [""],
    "user.machine.added": ['{"userName":"bot","name":"Bot","description":"a machine"}', ""],
    "user.removed": [""],
    "user.human.email.verified": [""],
    "user.human.phone.changed": ['{"phone":"+41710000000"}'],
    "user.human.phone.verified": [""],
    "user.human.phone.code.added": ['{"code":%s,"expiry":3600000000000,"code_returned":true}' % code,
                                    '{"generatorId":"twilio","triggerOrigin":"example.com"}'],
    "user.human.phone.code.sent": ["{}", '{"generatorInfo":{"id":"sms1","verificationId":"VE123"}}'],
    "user.human.phone.removed": [""],
    "user.human.phone.verification.failed": [""],
    "user.added": [human],
    "user.selfregistered": [human],
    "user.initialization.code.added": [""],
    "user.initialization.check.succeeded": [""],
    "user.email.verified": [""],
    "user.phone.changed": ['{"phone":"+41710000000"}'],
    "user.phone.verified": [""],
    "user.phone.code.added": ['{"code":%s,"expiry":600000000000}' % code],
    "user.phone.code.sent": ["{}"],
    "user.phone.removed": [""],
    "user.phone.verification.failed": [""],
}
for type_name, payloads in events.items():
    for i, payload in enumerate(payloads):
        write("event_codec", f"{type_name}-{i}", f"{type_name}\n{payload}")

# Stored rows: instance_id, aggregate_type, aggregate_id, event_type, sequence, revision, created_at, payload, creator,
# owner, position, in_tx_order.
row_text = ["default", "user", "u1", "user.human.phone.changed", None, None, None, '{"phone":"+41710000000"}', "admin",
            "o1", None, None]

# sqlite_row: two rows, per column a type byte (0 NULL, 1 integer, 2 text, 3 real, 4 blob), then 8 big-endian bytes for an
# integer or a length byte and the bytes.
def sqlite_row(created_at, payload_type=2):
    out = b""
    for c, text in enumerate(row_text):
        if c in (4, 5, 10, 11):
            out += b"\x01" + struct.pack(">q", {4: 3, 5: 2, 10: 42, 11: 0}[c])
        else:
            value = (created_at if c == 6 else text).encode()
            kind = payload_type if c == 7 else 2
            out += bytes([kind]) + (bytes([len(value)]) + value if kind else b"")
    return out
canonical = sqlite_row("2026-07-10T09:17:49.123456Z")
write("sqlite_row", "canonical", canonical + canonical)
write("sqlite_row", "rfc3339-offset", canonical + sqlite_row("2026-07-10T11:17:49+02:00"))
write("sqlite_row", "null-payload", canonical + sqlite_row("2026-07-10T09:17:49.000000Z", payload_type=0))
write("sqlite_row", "blob-payload", sqlite_row("2026-07-10T09:17:49.123456Z", payload_type=4) + canonical)

# postgres_row: two rows, per column a length byte (255 NULL) and the binary value. created_at counts microseconds from 2000.
def postgres_row(payload=True):
    out = b""
    for c, text in enumerate(row_text):
        if c == 4: value = struct.pack(">q", 3)
        elif c == 5: value = struct.pack(">h", 2)
        elif c == 6: value = struct.pack(">q", 836_990_269_123_456)
        elif c == 10: value = struct.pack(">q", 42)
        elif c == 11: value = struct.pack(">i", 0)
        elif c == 7:
            if not payload:
                out += b"\xff"
                continue
            value = b"\x01" + text.encode()
        else: value = text.encode()
        out += bytes([len(value)]) + value
    return out
write("postgres_row", "canonical", postgres_row() + postgres_row())
write("postgres_row", "null-payload", postgres_row() + postgres_row(payload=False))
write("postgres_row", "after-null-payload", postgres_row(payload=False) + postgres_row())

# store_url: URLs as docs/stores.md shows them.
for i, url in enumerate(["memory:", "memory://", "sqlite:users.db", "sqlite:///var/lib/users.db?synchronous=normal",
                         "sqlite::memory:", "sqlite:users.db?group_commit=off&busy_timeout_ms=5000&max_group=64",
                         "postgresql://app:secret@db.example.com:5432/users?sslmode=require&schema=es&group_commit=on",
                         "postgres://localhost/users?max_group=32",
                         "host=127.0.0.1 port=5432 user=postgres dbname=postgres schema=es",
                         "host=db password='it''s a \\'secret\\'' group_commit=off max_group=8", "mysql://x"]):
    write("store_url", f"{i:02}", url)

# scenario_line: lines as examples/scenario/demo.jsonl has them.
for i, line in enumerate([
        '{"op":"add_human","userId":"u1","orgId":"o1"}',
        '{"op":"set_phone_v1","userId":"u1","phone":"+41 71 000 00 00","isPhoneVerified":true}',
        '{"op":"set_phone_v2","userId":"u1","phone":"+41 71 000 00 01","returnCode":true}',
        '{"op":"verify_phone_v2","userId":"u1","code":"@last_sms"}',
        '{"op":"advance_clock","seconds":3600}',
        '{"op":"configure","phonePolicy":"possible","defaultRegion":"DE"}',
        '{"op":"events","userId":"u1","nested":[[1,2.5,-3e10],{"a":null,"b":false}],"s":"\\u00e9\\ud83d\\ude00"}',
        '[' * 31 + ']' * 31, 'not json']):
    write("scenario_line", f"{i:02}", line)

# http_request: a read-size byte (0 = all at once), then what a client sends.
seed_request = ("PUT /management/v1/users/u1/phone HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer t\r\n"
                "x-zitadel-orgid: o1\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n"
                '{"phone": "+41 71 000 00 00", "isPhoneVerified": 1}')
chunked = ("POST /zitadel.user.v2.UserService/SetPhone HTTP/1.1\r\nHost: x\r\ncontent-type: application/proto\r\n"
           "connect-protocol-version: 1\r\ntransfer-encoding: chunked\r\n\r\n5\r\n\n\x02u1\r\n0\r\n\r\n")
pipelined = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v2/users/u1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
for i, (size, text) in enumerate([(0, seed_request), (7, seed_request), (0, chunked), (3, chunked), (0, pipelined),
                                  (1, "GET / HTTP/1.0\r\n\r\n"),
                                  (0, "POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")]):
    write("http_request", f"{i:02}", bytes([size]) + text.encode("latin-1"))

# token_file: token files as include/userstream/api/authenticator.hpp shows them, and near-valid ones of each kind the
# parser refuses.
admin = '{"token":"secret-admin-0123","userId":"admin","orgId":"o1","permissions":{"o1":["user.read","user.write"]}}'
for i, text in enumerate([
        '{"tokens":[%s]}' % admin,
        '{"tokens":[%s,{"token":"secret-rotated-4567","userId":"admin","orgId":"o1","permissions":'
        '{"o1":["user.read","user.write"]}},{"token":"secret-u1-89ab","userId":"u1","orgId":"o1"}]}' % admin,
        '{"tokens":[{"token":"secret-root-cdef","userId":"root","orgId":"o1","permissions":{"*":["user.read"],'
        '"o2":["user.write"]}}]}',
        '{"tokens":[]}',
        '{\n  "tokens": [\n    {"token": "s\\u00e9cret-\\ud83d\\ude00-token", "userId": "u\\"1", "orgId": "o1"}\n  ]\n}\n',
        '{"tokens":[%s,%s]}' % (admin, admin.replace('"admin"', '"other"')),  # a repeated token
        '{"tokens":[%s,{"token":"secret-disagree-01","userId":"admin","orgId":"o2"}]}' % admin,
        '{"tokens":[{"token":"","userId":"u","orgId":"o1"}]}',
        '{"tokens":[{"token":"secret-no-user-01","orgId":"o1"}]}',
        '{"tokens":[{"token":"secret-perms-0001","userId":"u","orgId":"o1","permissions":{"o1":"user.read"}}]}',
        '{"tokens":[{"token":"secret-perms-0002","userId":"u","orgId":"o1","permissions":{"":["user.read"]}}]}',
        '{"tokens":[{"token":"secret-perms-0003","userId":"u","orgId":"o1","permissions":{"o1":[1]}}]}',
        '{"tokens":[{"token":12345678,"userId":"u","orgId":"o1"}]}',
        '{"tokens":["secret-bare-string"]}',
        '{"tokens":{}}',
        '[]',
        '{"tokens":[{"token":"secret-trailing-01","userId":"u","orgId":"o1"}]',
        '{"tokens":[{"token":"secret-big-number1","userId":"u","orgId":"o1","n":1e999}]}',
        '{"tokens":[{"token":"secret-same-as-user","userId":"secret-same-as-user","orgId":"o1"},'
        '{"token":"secret-other-000001","userId":"secret-same-as-user","orgId":"o2"}]}',
        '{"tokens":[{"token":"secret-dup-key-0001","token":"secret-dup-key-0002","userId":"u","orgId":"o1"}]}',
        'not json secret-x']):
    write("token_file", f"{i:02}", text)

# key_ring_file: rings as include/userstream/user/key_ring_file.hpp shows them, and near-valid ones of each kind the
# loader refuses.
key_a = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
key_b = base64.b64encode(b"k" * 32).decode()
for i, text in enumerate([
        '{"active":"k1","keys":[{"id":"k1","key":"%s"}]}' % key_a,
        '{"active":"k1","keys":[{"id":"k1","key":"%s"},{"id":"k0","key":"%s"}]}\n' % (key_b, key_a),
        '{"active":"k0","keys":[{"id":"k1","key":"%s"},{"id":"k0","key":"%s"}]}' % (key_a, key_a),
        '{"active":"k\\u00e9","keys":[{"id":"k\\u00e9","key":"%s"}],"comment":"extra fields are ignored"}' % key_b,
        '{"keys":[{"id":"k1","key":"%s"}]}' % key_a,
        '{"active":"k2","keys":[{"id":"k1","key":"%s"}]}' % key_a,
        '{"active":"k1","keys":[]}',
        '{"active":"","keys":[{"id":"k1","key":"%s"}]}' % key_a,
        '{"active":"k1","keys":[{"id":"k1","key":"not base64!"}]}',
        '{"active":"k1","keys":[{"id":"k1","key":"%s"}]}' % base64.b64encode(b"0" * 31).decode(),
        '{"active":"k1","keys":[{"id":"k1","key":"%s"}]}' % base64.b64encode(b"0" * 33).decode(),
        '{"active":"k1","keys":[{"id":"k1","key":"%s"}]}' % key_a.rstrip("="),
        '{"active":"k1","keys":[{"id":"k1","key":"%s"},{"id":"k1","key":"%s"}]}' % (key_a, key_b),
        '{"active":"k1","keys":[{"key":"%s"}]}' % key_a,
        '{"active":"k1","keys":[{"id":"k1","key":12}]}',
        '{"active":"%s","keys":[{"id":"%s","key":"%s"},{"id":"%s","key":"%s"}]}' % (key_a, key_a, key_b, key_a, key_a),
        '["k1","%s"]' % key_a,
        '{"active":"k1","keys":[{"id":"k1","key":"%s"}]' % key_a,
        'not json']):
    write("key_ring_file", f"{i:02}", text)
