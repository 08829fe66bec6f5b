import { excerptOf } from './excerptOf.js';
import { invalidBodyError } from './invalidBodyError.js';

/**
 * Parses a response text as JSON.
 *
 * @throws {@link OrdoSchemaError} when the text is empty or not JSON: the message says so, names
 *   the content type when known and shows the first characters.
 */
export function parseJsonText(
  text: string,
  options: { jobId?: string | undefined; contentType?: string | undefined } = {},
): unknown {
  const { jobId, contentType } = options;
  if (text.trim() === '') {
    const type = contentType ? ` (content type ${contentType})` : '';
    throw invalidBodyError([{ path: '', message: `the body is empty${type}, expected a JSON object`, received: text }], text, jobId, contentType);
  }
  try {
    // A byte order mark is not JSON, but some servers and files start with one.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (cause) {
    const type = contentType ? ` (content type ${contentType})` : '';
    throw invalidBodyError(
      [{ path: '', message: `the body is not JSON${type}; it starts with ${JSON.stringify(text.slice(0, 40))}`, received: excerptOf(text) }],
      text,
      jobId,
      contentType,
      cause,
    );
  }
}
