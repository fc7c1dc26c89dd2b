// Development secrets are shared with other libraries (the checkpoint signing key); one writer.
export { localSecret } from '@ledger/config';
