// Dynamics: closed-form and reduced models of GAN training.
