/**
 * English messages of the security-key (WebAuthn, IAM-1) screens: sign-in second factor and
 * Settings → Security keys. Merged into the main dictionary by en.ts; webauthn.zh-CN.ts must
 * define every key (the type checker enforces it).
 */
export const webauthnEn = {
} as const;
