/**
 * Message bodies at rest (ENC-1, rule 5): server-mode bodies are AES-256-GCM under the
 * conversation's data key, bound to conversation, message and version by the AAD so that
 * no ciphertext can be moved to another row. E2EE bodies are stored exactly as the client
 * sent them: the server has no key for them.
 */
import { decryptText, encryptText } from '@conclave/crypto';

export function bodyAad(conversationId: string, messageId: string, version: number): string {
  return `conclave-msg:${conversationId}:${messageId}:v${version}`;
}

export function sealBody(key: Uint8Array, text: string, conversationId: string, messageId: string, version: number): Buffer {
  return encryptText(key, JSON.stringify({ t: text }), bodyAad(conversationId, messageId, version));
}

export function openBody(key: Uint8Array, sealed: Uint8Array, conversationId: string, messageId: string, version: number): string {
  return (JSON.parse(decryptText(key, sealed, bodyAad(conversationId, messageId, version))) as { t: string }).t;
}
