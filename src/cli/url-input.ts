/**
 * Where `tsio status` gets its URLs: the arguments, `-f FILE` (repeatable, `-` for stdin), or
 * stdin when neither is given and stdin is not a terminal. Lines are trimmed; blank lines and
 * lines starting with `#` are skipped. Nothing is validated here: a bad URL is a result, not a
 * usage error.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './args.js';

/** The URLs of a list file's text: one per line, blank lines and `#` comments skipped. */
export function parseUrlLines(text: string): string[] {
  const urls: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const url = line.trim();
    if (url !== '' && !url.startsWith('#')) urls.push(url);
  }
  return urls;
}

/** Reads all of a readable stream (stdin) as UTF-8 text. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return text;
}

/** Where {@link collectUrls} reads from; injectable for tests. */
export interface UrlSources {
  /** The positional arguments. */
  readonly args: readonly string[];
  /** The `-f/--file` values, in order (`-` = stdin). */
  readonly files: readonly string[];
  /** Standard input. */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * Collects the URLs, in order: the arguments, then each file. Stdin is read when a file is `-`,
 * or when there are neither arguments nor files and stdin is not a terminal. Throws
 * {@link UsageError} when a file cannot be read or when there is no URL at all.
 */
export async function collectUrls({ args, files, stdin }: UrlSources): Promise<string[]> {
  const urls = [...args];
  let stdinUsed = false;
  const fromStdin = async (): Promise<string[]> => {
    if (stdinUsed) throw new UsageError('stdin (-f -) can only be read once');
    stdinUsed = true;
    return parseUrlLines(await readAll(stdin));
  };
  for (const file of files) {
    if (file === '-') {
      urls.push(...(await fromStdin()));
      continue;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
      throw new UsageError(
        `cannot read --file ${JSON.stringify(file)} (${why ?? String(e)}); expected a text file with one URL per line`,
      );
    }
    urls.push(...parseUrlLines(text));
  }
  if (args.length === 0 && files.length === 0) {
    if (stdin.isTTY === true) {
      throw new UsageError(
        'no URLs: give them as arguments, with -f FILE, or on stdin (e.g. cat urls.txt | tsio status)',
      );
    }
    urls.push(...(await fromStdin()));
  }
  if (urls.length === 0) {
    throw new UsageError(
      'no URLs: the arguments, files and stdin held none (blank lines and # comments are skipped)',
    );
  }
  return urls;
}
