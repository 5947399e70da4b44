// Optim: optimisers whose state is named data, plus EMA and gradient clipping.
