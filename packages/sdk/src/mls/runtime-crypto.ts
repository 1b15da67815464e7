/**
 * Which ts-mls crypto provider the SDK uses on this runtime (E2E-1): node:crypto on Node
 * (node-crypto-provider.ts: large commits are ~latency-bound on WebCrypto there), ts-mls's
 * default WebCrypto provider everywhere else (browsers). Both produce the same bytes, so Node and
 * browser clients share groups.
 */
import { defaultCryptoProvider, type CryptoProvider } from 'ts-mls';

/** 'node' when {@link runtimeCryptoProvider} resolved to the native provider, else 'default'. */
export type CryptoProviderKind = 'node' | 'default';

let chosen: Promise<{ kind: CryptoProviderKind; provider: CryptoProvider }> | undefined;

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * The provider for this runtime, loaded once. On Node the native module is imported through a
 * computed specifier so bundlers (Vite for packages/web, esbuild for the SDK's browser build)
 * neither follow it nor pull node:crypto into a browser bundle. Where it cannot be loaded (the
 * SDK's bundled dist/, which does not contain it, used on Node) the default provider is used:
 * slower, same results.
 */
export function runtimeCryptoProvider(): Promise<{ kind: CryptoProviderKind; provider: CryptoProvider }> {
  chosen ??= (async () => {
    if (!isNode()) return { kind: 'default' as const, provider: defaultCryptoProvider };
    try {
      const specifier = ['.', 'node-crypto-provider'].join('/');
      const mod = (await import(/* @vite-ignore */ specifier)) as typeof import('./node-crypto-provider');
      return { kind: 'node' as const, provider: mod.nodeCryptoProvider };
    } catch {
      return { kind: 'default' as const, provider: defaultCryptoProvider };
    }
  })();
  return chosen;
}
