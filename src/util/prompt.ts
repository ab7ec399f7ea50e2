// The one yes/no question the CLI asks on a terminal (before a reload, a rollback, a cache flush).
import { createInterface } from 'node:readline/promises';

/** Whether stdin and the stream the question goes to are both a terminal: only then is there someone to ask. */
export function canAsk(output: NodeJS.WriteStream): boolean {
  return Boolean(process.stdin.isTTY && output.isTTY);
}

/** Ask `question [y/N]` on `output`; yes only for y or yes. */
export async function askYesNo(question: string, output: NodeJS.WriteStream): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
