import { readMpesaConfig } from './mpesa.config';

const SECRET = 'a'.repeat(40);
const DARAJA = {
  MPESA_GATEWAY: 'daraja',
  MPESA_CALLBACK_SECRET: SECRET,
  MPESA_CALLBACK_BASE_URL: 'https://api.example.com/',
  MPESA_CONSUMER_KEY: 'key',
  MPESA_CONSUMER_SECRET: 'secret',
  MPESA_SHORTCODE: '174379',
  MPESA_PASSKEY: 'passkey',
  MPESA_INITIATOR_NAME: 'ledger',
  MPESA_SECURITY_CREDENTIAL: 'credential',
};

describe('readMpesaConfig', () => {
  it('plays M-Pesa in the sandbox by default, and is off in production unless chosen', () => {
    expect(readMpesaConfig({}).gateway).toBe('sandbox');
    expect(readMpesaConfig({ NODE_ENV: 'production' })).toEqual({ gateway: 'off' });
  });

  it('builds the secret callback path from the public base and the secret', () => {
    const config = readMpesaConfig(DARAJA);
    expect(config).toMatchObject({
      gateway: 'daraja',
      baseUrl: 'https://api.safaricom.co.ke',
      callbackUrl: `https://api.example.com/webhooks/mpesa/${SECRET}`,
    });
  });

  it('names what is missing or too weak', () => {
    expect(() => readMpesaConfig({ ...DARAJA, MPESA_PASSKEY: '' })).toThrow(
      'MPESA_PASSKEY must be set when MPESA_GATEWAY=daraja',
    );
    expect(() => readMpesaConfig({ ...DARAJA, MPESA_CALLBACK_SECRET: 'short' })).toThrow(
      /MPESA_CALLBACK_SECRET must be at least 32/,
    );
    expect(() =>
      readMpesaConfig({ ...DARAJA, NODE_ENV: 'production', MPESA_CALLBACK_SECRET: '' }),
    ).toThrow('MPESA_CALLBACK_SECRET must be set in production');
  });
});
