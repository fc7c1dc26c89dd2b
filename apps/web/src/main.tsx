import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { NoticeProvider } from './notifications';
import { SessionProvider } from './session';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <NoticeProvider>
      <SessionProvider>
        <App />
      </SessionProvider>
    </NoticeProvider>
  </StrictMode>,
);

// The service worker keeps the last balances and statement for reading offline.
if ('serviceWorker' in navigator) {
  addEventListener('load', () => void navigator.serviceWorker.register('/sw.js'));
}
