// swift-tools-version:6.0
import Foundation
import PackageDescription

// Opt-in: EQUILIBRIUM_NATIVE=1 compiles the numeric kernels for this machine's CPU
// (AVX2/AVX-512, FMA). Off by default so builds run on any x86-64 or arm64 machine.
let nativeFlags: [SwiftSetting] = ProcessInfo.processInfo.environment["EQUILIBRIUM_NATIVE"] == "1"
    ? [.unsafeFlags(["-target-cpu", "native"])] : []

// Layers (see DESIGN.md): CBLAS, CKernels → Tensor → NN → Optim → Games (+ CCLP for meta-game LPs); Datasets (+ CZlib for
// .gz data files) and Metrics sit on Tensor; Dynamics (reduced models: the Li model, the particle model) sits on Games; Plot stands beside;
// Equilibrium re-exports them all; the `equilibrium` CLI sits on top. Dependencies point down only.
let package = Package(
    name: "Equilibrium",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Equilibrium", targets: ["Equilibrium"]),
        .executable(name: "equilibrium", targets: ["equilibrium"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // COIN-OR CLP, the meta-game LP solver (DO-GAN). Linked by name, not via clp.pc, whose
        // "-lblas -llapack" would add a second BLAS to the link line.
        .systemLibrary(name: "CCLP", path: "Sources/CCLP", providers: [.apt(["coinor-libclp-dev"])]),
        // Our own C kernels, compiled once per instruction set and dispatched at run time
        // (Sources/CKernels/include/CKernels.h says why).
        .target(name: "CKernels"),
        .target(name: "Tensor", dependencies: [
            "CBLAS", "CKernels", .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: nativeFlags),
        .target(name: "NN", dependencies: ["Tensor"]),
        .target(name: "Optim", dependencies: ["Tensor", "NN"]),
        .target(name: "Datasets", dependencies: ["Tensor", "CZlib"]),
        .target(name: "Metrics", dependencies: ["Tensor", "Datasets", "CBLAS"]),
        .target(name: "Games", dependencies: ["Tensor", "NN", "Optim", "Datasets", "CCLP"]),
        .target(name: "Dynamics", dependencies: [
            "Tensor", "NN", "Optim", "Datasets", "Metrics", "Games", .product(name: "Numerics", package: "swift-numerics"),
        ]),
        .target(name: "Plot", dependencies: ["CZlib"]),
        .target(name: "Equilibrium", dependencies: ["Tensor", "NN", "Optim", "Datasets", "Metrics", "Games", "Dynamics", "Plot"]),
        .executableTarget(name: "equilibrium", dependencies: [
            "Equilibrium", "CBLAS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "NN", "Tensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensor", "CZlib"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Datasets", "Tensor"]),
        .testTarget(name: "GamesTests", dependencies: ["Games", "Datasets", "Metrics", "NN", "Optim", "Tensor"]),
        .testTarget(name: "DynamicsTests", dependencies: ["Dynamics", "Games", "Metrics", "NN", "Tensor"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot"]),
    ]
)
