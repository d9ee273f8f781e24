/** Entry point: pick the transport from the URL (`?transport=rest`), build the SDK client, mount. */
import { createRestClient } from '@quickeats/sdk/rest';
import { createTrpcClient } from '@quickeats/sdk/trpc';
import { mountDashboard, TOKEN_KEY } from './app';
import { parseSettings } from './board';
import './styles.css';

const settings = parseSettings(location.search);
const options = {
  // Same origin: the page's server proxies /api and /trpc to the API (see vite.config.ts).
  baseUrl: location.origin,
  token: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
};
const client = settings.transport === 'rest' ? createRestClient(options) : createTrpcClient(options);

const root = document.getElementById('app');
if (!root) throw new Error('#app is missing from index.html');
mountDashboard(root, {
  client,
  pollMs: settings.pollMs,
  storage: sessionStorage,
  preferences: localStorage,
  defaultEmail: 'owner@quickeats.test',
});
