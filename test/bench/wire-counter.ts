import { createServer, Server, Socket, connect } from 'node:net';

/** MongoDB commands a client sends that belong to connection upkeep, not to a request's work. */
const UPKEEP = new Set([
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'endSessions',
  'saslStart',
  'saslContinue',
  'buildInfo',
]);
const OP_MSG = 2013;

/**
 * A TCP proxy in front of the database that counts the commands passing through it (MongoDB wire
 * protocol, OP_MSG), by command name — engine-agnostic, and the same for our service and the floor.
 */
export class WireCounter {
  private server?: Server;
  private readonly counts = new Map<string, number>();
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async listen(): Promise<number> {
    this.server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Commands counted so far, upkeep excluded. */
  total(): number {
    let total = 0;
    for (const [name, count] of this.counts) if (!UPKEEP.has(name)) total += count;
    return total;
  }

  byCommand(): Record<string, number> {
    return Object.fromEntries([...this.counts].filter(([name]) => !UPKEEP.has(name)));
  }

  reset(): void {
    this.counts.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(client).add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = this.countMessages(Buffer.concat([pending, chunk]));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  /** Counts every complete message in `buffer`; returns the incomplete rest. */
  private countMessages(buffer: Buffer): Buffer {
    let offset = 0;
    while (buffer.length - offset >= 16) {
      const length = buffer.readInt32LE(offset);
      if (buffer.length - offset < length) break;
      const opCode = buffer.readInt32LE(offset + 12);
      if (opCode === OP_MSG) {
        const name = commandName(buffer, offset + 16 + 4);
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      }
      offset += length;
    }
    return buffer.subarray(offset);
  }
}

/** The first key of the body section's document: the command's name. */
function commandName(buffer: Buffer, sectionStart: number): string {
  // section kind (1 byte, 0 = body), document length (4 bytes), element type (1 byte), then the name.
  const nameStart = sectionStart + 1 + 4 + 1;
  const nameEnd = buffer.indexOf(0, nameStart);
  return nameEnd > nameStart ? buffer.toString('utf8', nameStart, nameEnd) : 'unknown';
}
