/** Stock movement prediction app (StockNet). */
export {};
