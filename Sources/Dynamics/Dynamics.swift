// Dynamics: closed-form and reduced models of GAN training.
//
// `Li/` holds the Li–Mądry–Peebles–Schmidt 1-D model (spec li-dynamics.md): two unit Gaussians
// against a union of two intervals, its optimal discriminator, the training dynamics and the
// success-probability experiment of the paper's Figure 2.
