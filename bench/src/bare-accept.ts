/**
 * The write path's floor (issue 15): an accept as ONE prepared postgres.js statement — the
 * conditional `UPDATE … WHERE version AND status` and its event `INSERT`, nothing else. Run
 * in-process by `near-limit.ts` and served over HTTP by `bare-server.ts`, so the API's accept is
 * compared with the database alone and with the database behind the thinnest HTTP server.
 */
import type postgres from 'postgres';

export async function bareAccept(
  sql: ReturnType<typeof postgres>,
  orderId: string,
  version: number,
  actorId: string,
): Promise<boolean> {
  const rows = await sql`
      with upd as (
        update orders set status = 'accepted', version = version + 1, updated_at = now()
         where id = ${orderId} and version = ${version} and status = 'paid' returning id, version)
      insert into order_events (order_id, action, from_status, to_status, actor_id, actor_role, version)
      select id, 'accept', 'paid', 'accepted', ${actorId}, 'restaurant', version from upd
      returning version`;
  return rows.length === 1;
}
