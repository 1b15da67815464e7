/** Simplified Chinese messages of the security-key (WebAuthn) screens; every key of webauthn.en.ts. */
import type { webauthnEn } from './webauthn.en';

export const webauthnZhCN: Record<keyof typeof webauthnEn, string> = {
};
