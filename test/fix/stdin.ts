import { Readable } from "node:stream";

/** Run `body` with `text` as process.stdin, for in-process CLI runs that read `-`. */
export async function withStdin<T>(text: string, body: () => Promise<T>): Promise<T> {
  const original = Object.getOwnPropertyDescriptor(process, "stdin");
  Object.defineProperty(process, "stdin", { value: Readable.from(text === "" ? [] : [Buffer.from(text)]), configurable: true });
  try {
    return await body();
  } finally {
    if (original) Object.defineProperty(process, "stdin", original);
  }
}
