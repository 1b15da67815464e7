/**
 * English messages of the security-key (WebAuthn, IAM-1) screens: sign-in second factor and
 * Settings → Security keys. Merged into the main dictionary by en.ts; webauthn.zh-CN.ts must
 * define every key (the type checker enforces it).
 */
export const webauthnEn = {
  // Sign-in, second step
  'webauthn.login.title': 'Use your security key',
  'webauthn.login.hint': 'Insert your security key and touch it, or confirm with your device’s fingerprint, face or screen lock when your browser asks.',
  'webauthn.login.use': 'Use security key',
  'webauthn.login.waiting': 'Waiting for your security key…',
  'webauthn.login.useKey': 'Use a security key instead',
  'webauthn.login.useApp': 'Use your authenticator app instead',
  // Errors shown next to a key prompt
  'webauthn.err.cancelled': 'The security key request was cancelled or timed out. Try again.',
  'webauthn.err.unsupported': 'This browser cannot use security keys here. Use another way to verify.',
  'webauthn.err.insecure': 'Security keys only work on the organisation’s secure address. Check the address in your browser.',
  'webauthn.err.alreadyRegistered': 'This security key is already registered to your account.',
  'webauthn.err.refused': 'Your security key was not accepted. Try again, or use another way to verify.',
  'webauthn.err.expired': 'The request took too long. Try again.',
  'webauthn.err.cloned': 'This security key was refused because it may have been copied. Contact your administrator.',
  'webauthn.err.lastFactor': 'Your organisation requires two-step verification for your role. Add another security key or an authenticator app before removing this one.',
  // Settings → Security keys
  'webauthn.settings.title': 'Security keys',
  'webauthn.settings.hint': 'Verify sign-ins with a hardware security key or your device’s built-in authenticator (fingerprint, face or screen lock) instead of a code.',
  'webauthn.settings.none': 'No security keys yet.',
  'webauthn.settings.count.one': '{count} key',
  'webauthn.settings.count.other': '{count} keys',
  'webauthn.settings.add': 'Add security key',
  'webauthn.settings.name': 'Key name',
  'webauthn.settings.namePlaceholder': 'e.g. YubiKey on my keyring',
  'webauthn.settings.defaultName': 'Security key',
  'webauthn.settings.password': 'Your password',
  'webauthn.settings.passwordHint': 'Confirm it is you before adding a key.',
  'webauthn.settings.register': 'Register key',
  'webauthn.settings.prompt': 'Follow your browser’s prompt: insert and touch your key, or confirm on your device.',
  'webauthn.settings.added': 'Added {when}',
  'webauthn.settings.lastUsed': 'Last used {when}',
  'webauthn.settings.neverUsed': 'Not used yet',
  'webauthn.settings.synced': 'Synced passkey',
  'webauthn.settings.rename': 'Rename',
  'webauthn.settings.renameLabel': 'New name for {name}',
  'webauthn.settings.remove': 'Remove',
  'webauthn.settings.removeTitle': 'Remove this security key?',
  'webauthn.settings.removeBody': '“{name}” will no longer verify your sign-ins. You can register it again later.',
  'webauthn.settings.removeConfirm': 'Remove key',
  'webauthn.settings.listLabel': 'Your security keys',
  'webauthn.settings.recoveryLeft': 'Recovery codes left: {n}',
  'webauthn.settings.addedNotice': 'Security key added.',
  'webauthn.transport.usb': 'USB',
  'webauthn.transport.nfc': 'NFC',
  'webauthn.transport.ble': 'Bluetooth',
  'webauthn.transport.internal': 'This device',
  'webauthn.transport.hybrid': 'Phone',
  // Forced enrolment (MFA required for your role)
  'webauthn.forced.useKey': 'Use a security key instead',
  'webauthn.forced.useApp': 'Use an authenticator app instead',
  'webauthn.forced.keyHint': 'Name your key, then follow your browser’s prompt to register it.',
} as const;
