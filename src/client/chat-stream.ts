// The one reader of an OpenAI-style chat completion stream (server-sent events), for try, bench
// and load alike, so that they agree on what the first token is and on when a stream succeeded.
// A stream is complete when it ends with `data: [DONE]` or its last choice carries a
// finish_reason, and no error event came; LiteLLM reports a provider that broke off as
// `data: {"error": ...}` and no [DONE]. A connection that closes before either is a cut stream.
// Timing as vllm bench serve and GuideLLM do it: the first token is the first content chunk;
// inter-token latency is the gap between content chunks after it.

export type StreamErrorKind = 'stream-error' | 'stream-cut';

export interface StreamOutcome {
  complete: boolean;
  /** Set when not complete: what went wrong, in the words of the stream when it had any. */
  error?: { kind: StreamErrorKind; message: string };
}

export class ChatStreamReader {
  /** ms from `t0` to the first content chunk, or null. */
  ttftMs: number | null = null;
  readonly itlMs: number[] = [];
  content = '';
  chunks = 0;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  private done = false;
  private finished = false;
  private errorEvent?: string;
  private buf = '';
  private last = 0;

  constructor(private readonly t0: number) {}

  /** Feed text as it arrives; complete lines are parsed at once. */
  push(text: string, now = performance.now()): void {
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      this.line(line, now);
    }
  }

  private line(line: string, now: number): void {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    let event: {
      choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
      usage?: ChatStreamReader['usage'];
      error?: { message?: string } | string;
    };
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    if (event.error !== undefined) {
      this.errorEvent ??= typeof event.error === 'string' ? event.error : (event.error.message ?? JSON.stringify(event.error));
      return;
    }
    if (event.usage) this.usage = event.usage;
    const choice = event.choices?.[0];
    if (choice?.finish_reason) this.finished = true;
    const piece = choice?.delta?.content;
    if (piece) {
      if (this.ttftMs === null) this.ttftMs = now - this.t0;
      else this.itlMs.push(now - this.last);
      this.last = now;
      this.chunks++;
      this.content += piece;
    }
  }

  /** Once the connection ended (normally or not): whether the stream was whole. */
  outcome(dropped?: string): StreamOutcome {
    if (this.buf.trim()) {
      this.line(this.buf.trim(), performance.now());
      this.buf = '';
    }
    if (this.errorEvent !== undefined) return { complete: false, error: { kind: 'stream-error', message: this.errorEvent.slice(0, 300) } };
    if (this.done || this.finished) return { complete: true };
    if (dropped !== undefined)
      return {
        complete: false,
        error: {
          kind: 'stream-cut',
          message: `the connection broke off after ${this.chunks} content chunk${this.chunks === 1 ? '' : 's'} (${dropped})`,
        },
      };
    return {
      complete: false,
      error: {
        kind: 'stream-cut',
        message: `the stream ended after ${this.chunks} content chunk${this.chunks === 1 ? '' : 's'} without [DONE] or a finish_reason`,
      },
    };
  }
}
