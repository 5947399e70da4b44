// NN: modules, layers, activations and initialisers built on Tensor.
