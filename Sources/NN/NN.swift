// NN: modules, layers, activations, initialisers and losses built on Tensor.
//
// Conventions shared by every layer (details in Layer.swift):
// - layers are final classes conforming to `Layer` (a `Module` with a forward pass);
// - parameters are gradient leaves named as in PyTorch's state_dict;
// - randomness (init, dropout) comes from explicit `RandomKey`s;
// - layers default to Float32; `dtype:` at init or `cast(to:)` gives Float64 (used by tests).
