// The umbrella module: `import Equilibrium` brings every layer into scope.
@_exported import Tensor
@_exported import NN
@_exported import Optim
@_exported import Datasets
@_exported import Metrics
@_exported import Games
@_exported import Dynamics
@_exported import Plot
