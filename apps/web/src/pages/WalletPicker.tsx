import type { Wallet } from '../wallets';
import { formatMinor } from '../money';

export function WalletPicker({
  wallets,
  value,
  onChange,
  label = 'From wallet',
}: {
  wallets: Wallet[];
  value: string;
  onChange: (id: string) => void;
  label?: string;
}) {
  return (
    <div className="field">
      <label htmlFor="wallet">{label}</label>
      <select id="wallet" value={value} onChange={(e) => onChange(e.target.value)}>
        {wallets.map((w) => (
          <option key={w.id} value={w.id}>
            {w.currency} — {formatMinor(w.availableMinor, w.currency)} available
          </option>
        ))}
      </select>
    </div>
  );
}
