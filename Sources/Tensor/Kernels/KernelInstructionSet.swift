import CKernels

/// The instruction set the C kernels (`CKernels`: the Float32 uniform and normal samplers) run
/// at in this process: the widest the CPU and OS support, capped by the environment variable
/// `EQUILIBRIUM_KERNEL_ISA=baseline|avx2|avx512` or by `limit(to:)`. Every level gives the
/// same bits; only the speed differs. The Swift kernels are compiled for the build's target
/// (baseline x86-64 unless built with `EQUILIBRIUM_NATIVE=1`) and are not affected.
public enum KernelInstructionSet: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case baseline = 0
    case avx2 = 1
    case avx512 = 2

    /// The level in effect now.
    public static var current: KernelInstructionSet {
        KernelInstructionSet(rawValue: Int(eq_kernels_isa().rawValue)) ?? .baseline
    }

    /// The levels the kernels can run at here: up to the best the CPU and OS support (capped by
    /// the environment), whatever `limit(to:)` has set.
    public static var available: [KernelInstructionSet] {
        let best = Int(eq_kernels_supported_isa().rawValue)
        return allCases.filter { $0.rawValue <= best }
    }

    /// Caps the level (nil removes the cap; the environment's cap stays) and returns the level
    /// now in effect, which is below the cap when the CPU lacks it.
    @discardableResult
    public static func limit(to cap: KernelInstructionSet?) -> KernelInstructionSet {
        let level = eq_kernels_set_isa_limit(Int32(cap?.rawValue ?? -1))
        return KernelInstructionSet(rawValue: Int(level.rawValue)) ?? .baseline
    }

    public static func < (a: KernelInstructionSet, b: KernelInstructionSet) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }
}
