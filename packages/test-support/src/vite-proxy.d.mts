import type { ProxyOptions } from 'vite';

/** The proxy table of the sample apps' dev and preview servers, pointed at the API on `target`. */
export declare function apiProxy(target: string): Record<'/api' | '/trpc', ProxyOptions>;
