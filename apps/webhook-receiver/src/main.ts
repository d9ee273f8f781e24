/**
 * `pnpm --filter @quickeats/webhook-receiver start`: the sample receiver on PORT (default 8080),
 * verifying with QUICKEATS_WEBHOOK_SECRET and printing each event once.
 */
import { createServer } from 'node:http';
import { webhookHandler } from './receiver';

const secret = process.env.QUICKEATS_WEBHOOK_SECRET;
if (!secret?.startsWith('whsec_')) {
  console.error(
    'Set QUICKEATS_WEBHOOK_SECRET to the whsec_… secret answered when the endpoint was registered',
  );
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8080);

createServer(
  webhookHandler({
    secret,
    onEvent: ({ type, data }, id) => {
      console.log(`${id}  ${type}  order ${data.orderId} v${data.version} (${data.status})`);
    },
  }),
).listen(port, () => console.log(`webhook receiver on http://localhost:${port}`));
