// Dynamics: closed-form and reduced models of GAN training.
//
// `Li/` holds the Li–Mądry–Peebles–Schmidt 1-D model (spec li-dynamics.md): two unit Gaussians
// against a union of two intervals, its optimal discriminator, the training dynamics and the
// success-probability experiment of the paper's Figure 2.
//
// `Particles/` holds the effective particle model of Durr et al. (spec particles.md): N
// particles in data space coupled by a kernel (sum trick for (1 − φ)I + φ𝟙𝟙ᵀ, any PSD matrix,
// an empirical NTK), trained against a neural discriminator with the game engine's
// objectives, penalties and optimisers; its metrics, the linearised damping analysis, and the
// phase-diagram and damping sweeps.
