/**
 * Blob store on S3-compatible object storage (AWS S3, MinIO, Ceph RGW, …), production on
 * several nodes (OPS-1). Requests are signed with AWS Signature V4 by aws4fetch; addressing is
 * path-style (`<endpoint>/<bucket>/<key>`), which every S3-compatible server supports.
 */
import { AwsClient } from 'aws4fetch';
import { assertBlobKey, BlobNotFoundError, type BlobStore } from './blob-store';

export interface S3Options {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Key prefix inside the bucket (e.g. "conclave/"). */
  prefix?: string;
}

export class S3BlobStore implements BlobStore {
  readonly location: string;
  private readonly client: AwsClient;
  private readonly base: string;

  constructor(private readonly opts: S3Options) {
    this.client = new AwsClient({ accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey, service: 's3', region: opts.region, retries: 2 });
    this.base = `${opts.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(opts.bucket)}`;
    const u = new URL(opts.endpoint);
    this.location = `s3://${u.host}/${opts.bucket}/${opts.prefix ?? ''}`;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const res = await this.client.fetch(this.url(key), { method: 'PUT', body: new Uint8Array(data), headers: { 'content-type': 'application/octet-stream' } });
    await this.check(res, 'PUT', key);
  }

  async get(key: string): Promise<Buffer> {
    const res = await this.client.fetch(this.url(key), { method: 'GET' });
    if (res.status === 404) {
      await res.arrayBuffer().catch(() => {});
      throw new BlobNotFoundError(key);
    }
    await this.check(res, 'GET', key, false);
    return Buffer.from(await res.arrayBuffer());
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      const res = await this.client.fetch(this.url(key), { method: 'DELETE' });
      if (res.status !== 404) await this.check(res, 'DELETE', key);
      else await res.arrayBuffer().catch(() => {});
    }
  }

  private url(key: string): string {
    assertBlobKey(key);
    return `${this.base}/${(this.opts.prefix ?? '') + key}`;
  }

  private async check(res: Response, method: string, key: string, drain = true): Promise<void> {
    if (res.ok) {
      if (drain) await res.arrayBuffer().catch(() => {});
      return;
    }
    const text = await res.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(res.status);
    throw new Error(`S3 ${method} ${key} failed: ${code}`);
  }
}
