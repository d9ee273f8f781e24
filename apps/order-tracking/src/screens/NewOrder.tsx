import { formatMoney, type Money } from '@quickeats/sdk';
import { useCreateOrder, useTRPC } from '@quickeats/sdk/react';
import { skipToken, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { go } from '../App';
import { errorText } from '../format';

export function NewOrder() {
  const trpc = useTRPC();
  const restaurants = useQuery(trpc.restaurants.list.queryOptions({ pageSize: 100 }));
  const [chosen, setChosen] = useState<string | null>(null);
  const restaurantId = chosen ?? restaurants.data?.items[0]?.id ?? null;
  const menu = useQuery(trpc.restaurants.get.queryOptions(restaurantId ? { restaurantId } : skipToken));
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [note, setNote] = useState('');
  const create = useCreateOrder();

  const available = (menu.data?.menuItems ?? []).filter((i) => i.available);
  const lines = available.filter((i) => (quantities[i.id] ?? 0) > 0);
  const total: Money | null = lines.length
    ? {
        amount: lines.reduce((sum, i) => sum + i.price.amount * (quantities[i.id] ?? 0), 0),
        currency: lines[0]!.price.currency,
      }
    : null;

  const setQuantity = (id: string, q: number) =>
    setQuantities((all) => ({ ...all, [id]: Math.max(0, Math.min(20, q)) }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!restaurantId || lines.length === 0) return;
    const order = await create.mutateAsync({
      restaurantId,
      items: lines.map((i) => ({ menuItemId: i.id, quantity: quantities[i.id] ?? 1 })),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
    go(`/orders/${order.id}`);
  }

  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title" tabIndex={-1}>
        Order food
      </h1>
      {restaurants.isPending && <p className="muted">Loading restaurants…</p>}
      {restaurants.isError && (
        <p className="notice error" role="alert">
          Could not load restaurants: {errorText(restaurants.error)}
        </p>
      )}
      {restaurants.data && (
        <form className="panel" onSubmit={submit} data-testid="new-order-form">
          <label>
            Restaurant
            <select
              name="restaurant"
              value={restaurantId ?? ''}
              onChange={(e) => {
                setChosen(e.target.value);
                setQuantities({});
              }}
            >
              {restaurants.data.items.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="menu" aria-busy={menu.isPending}>
            <legend>Menu</legend>
            {menu.isPending && <p className="muted">Loading the menu…</p>}
            {menu.isSuccess && available.length === 0 && (
              <p className="empty">Nothing on the menu right now.</p>
            )}
            {available.map((item) => {
              const q = quantities[item.id] ?? 0;
              return (
                <div className="menu-item" key={item.id} data-testid="menu-item" data-item-name={item.name}>
                  <span className="what">
                    <strong id={`item-${item.id}`}>{item.name}</strong>
                    <span className="muted">{formatMoney(item.price)}</span>
                  </span>
                  <span className="stepper">
                    <button
                      type="button"
                      onClick={() => setQuantity(item.id, q - 1)}
                      disabled={q === 0}
                      aria-label={`One less ${item.name}`}
                    >
                      −
                    </button>
                    <output aria-live="polite" aria-label={`${item.name} quantity`}>
                      {q}
                    </output>
                    <button
                      type="button"
                      onClick={() => setQuantity(item.id, q + 1)}
                      aria-label={`One more ${item.name}`}
                      data-testid="add-item"
                    >
                      +
                    </button>
                  </span>
                </div>
              );
            })}
          </fieldset>
          <label>
            Note for the kitchen (optional)
            <textarea
              name="note"
              maxLength={500}
              rows={2}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          {create.isError && (
            <p className="notice error" role="alert">
              Could not place the order: {errorText(create.error)}. Your cart is kept; try again.
            </p>
          )}
          <button
            type="submit"
            className="primary"
            disabled={!total || create.isPending}
            data-testid="place-order"
          >
            {create.isPending
              ? 'Placing…'
              : total
                ? `Place order · ${formatMoney(total)}`
                : 'Choose something first'}
          </button>
        </form>
      )}
    </section>
  );
}
