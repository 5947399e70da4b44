// Optim: optimisers whose state is named data (SGD, Adam, AdamW, RMSProp, optimistic Adam
// and SGD), gradient-norm clipping, parameter EMA, and checkpoints that resume exactly.
