import type { ProductStandards } from './spec.js';

/** The key short-run charts keep a product's state under: a sample without a product is its own product. */
export const productKey = (product: string | undefined): string => product ?? '';

/** A product's nominal from the rule file, or undefined. */
export function targetOf(products: ProductStandards, product: string | undefined): number | undefined {
  return product === undefined ? undefined : products[product]?.target;
}

/** What a short-run chart says of a sample without a product. */
export const needsProduct = (chart: string): string => `product is required for a ${chart} chart (its nominal is per product)`;
