/**
 * Loki's push format, for a recorder that stands in for Loki's `/loki/api/v1/push` (Loki cannot run here) and for
 * a client that pushes like Alloy's `loki.write` does: a snappy-compressed (block format, not framed) protobuf
 * `logproto.PushRequest`, `Content-Type: application/x-protobuf`; or the JSON form, `application/json`.
 *
 * PushRequest (pkg/push/push.proto): `repeated StreamAdapter streams = 1`; StreamAdapter: `string labels = 1`
 * (a selector such as `{host="api-2", job="auth"}`), `repeated EntryAdapter entries = 2`; EntryAdapter:
 * `google.protobuf.Timestamp timestamp = 1` (`int64 seconds = 1`, `int32 nanos = 2`), `string line = 2`.
 */

export interface PushedStream {
  readonly labels: string;
  readonly lines: readonly string[];
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function field(number: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([...varint((number << 3) | 2), ...varint(payload.length)]), payload]);
}

function varintField(number: number, value: number): Buffer {
  return Buffer.from([...varint(number << 3), ...varint(value)]);
}

/** A PushRequest, protobuf-encoded. */
export function encodePushRequest(
  streams: readonly PushedStream[],
  nowSeconds = Math.floor(Date.now() / 1000),
): Buffer {
  return Buffer.concat(
    streams.map((s) =>
      field(
        1,
        Buffer.concat([
          field(1, Buffer.from(s.labels)),
          ...s.lines.map((line) =>
            field(2, Buffer.concat([field(1, varintField(1, nowSeconds)), field(2, Buffer.from(line))])),
          ),
        ]),
      ),
    ),
  );
}

/** Snappy block format with literals only: valid snappy, which any decoder reads. */
export function snappyLiteral(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from(varint(data.length))];
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, i + 65536);
    const n = chunk.length - 1;
    if (n < 60) parts.push(Buffer.from([n << 2]));
    else if (n < 256) parts.push(Buffer.from([60 << 2, n]));
    else parts.push(Buffer.from([61 << 2, n & 0xff, n >> 8]));
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Decodes snappy's block format (literals and the three copy kinds); throws on anything malformed. */
export function snappyDecode(input: Buffer): Buffer {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw new Error("snappy: bad length preamble");
    const b = input[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = Buffer.alloc(length);
  let o = 0;
  const le = (n: number) => {
    if (pos + n > input.length) throw new Error("snappy: truncated");
    let v = 0;
    for (let i = 0; i < n; i++) v += input[pos + i] * 2 ** (8 * i);
    pos += n;
    return v;
  };
  while (pos < input.length) {
    const tag = input[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >> 2;
      len = len < 60 ? len + 1 : le(len - 59) + 1;
      if (pos + len > input.length || o + len > length) throw new Error("snappy: literal overruns");
      input.copy(out, o, pos, pos + len);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | le(1);
    } else {
      len = (tag >> 2) + 1;
      offset = le(kind === 2 ? 2 : 4);
    }
    if (offset === 0 || offset > o || o + len > length) throw new Error("snappy: bad copy");
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset];
  }
  if (o !== length) throw new Error(`snappy: ${o} bytes decoded, preamble says ${length}`);
  return out;
}

/** Length-delimited and varint fields of one protobuf message; throws on a wire type Loki's messages do not use. */
function fields(buf: Buffer): { number: number; bytes?: Buffer; value?: number }[] {
  const out: { number: number; bytes?: Buffer; value?: number }[] = [];
  let pos = 0;
  const readVarint = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= buf.length || shift > 63) throw new Error("protobuf: bad varint");
      const b = buf[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (pos < buf.length) {
    const key = readVarint();
    const number = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) out.push({ number, value: readVarint() });
    else if (wire === 2) {
      const len = readVarint();
      if (pos + len > buf.length) throw new Error("protobuf: field overruns the message");
      out.push({ number, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`protobuf: unexpected wire type ${wire}`);
  }
  return out;
}

/** A push body as Loki reads it, by content type; throws when it is no valid push. */
export function decodePush(contentType: string | undefined, body: Buffer): PushedStream[] {
  if (contentType === "application/x-protobuf") {
    const message = snappyDecode(body);
    return fields(message)
      .filter((f) => f.number === 1)
      .map((stream) => {
        const parts = fields(stream.bytes!);
        const labels = parts.find((p) => p.number === 1)?.bytes?.toString("utf8") ?? "";
        if (!/^\{.*\}$/.test(labels)) throw new Error(`push: stream labels ${JSON.stringify(labels)} are no selector`);
        const lines = parts
          .filter((p) => p.number === 2)
          .map(
            (entry) =>
              fields(entry.bytes!)
                .find((e) => e.number === 2)
                ?.bytes?.toString("utf8") ?? "",
          );
        return { labels, lines };
      });
  }
  if (contentType === "application/json") {
    const parsed = JSON.parse(body.toString("utf8")) as {
      streams?: { stream?: Record<string, string>; values?: [string, string][] }[];
    };
    if (!Array.isArray(parsed.streams)) throw new Error("push: JSON without streams");
    return parsed.streams.map((s) => {
      if (!s.stream || !Array.isArray(s.values) || s.values.some((v) => !/^\d+$/.test(v[0])))
        throw new Error("push: JSON stream without labels or with a bad timestamp");
      return {
        labels: `{${Object.entries(s.stream)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(", ")}}`,
        lines: s.values.map((v) => v[1]),
      };
    });
  }
  throw new Error(`push: content type ${contentType ?? "(none)"} is neither protobuf nor JSON`);
}
