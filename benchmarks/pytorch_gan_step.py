#!/usr/bin/env python3
"""PyTorch CPU reference timing for Equilibrium's GAN training steps.

Measures training steps per second of two models in PyTorch, so Equilibrium's
step rate (`equilibrium bench gan --model mlp|dcgan`) can be reported beside it
on the same machine.

--model mlp (default): the 8-mode-ring MLP GAN (same as the Equilibrium benchmark):
  G: z in R^256 ~ N(0, I) -> Linear 256->128 -> ReLU -> Linear 128->128 -> ReLU
     -> Linear 128->2
  D: Linear 2->128 -> ReLU -> Linear 128->128 -> ReLU -> Linear 128->1 (logit)
  batch 512; Adam, betas (0.5, 0.999), lr 1e-4 for D and 1e-3 for G.
  Data: 8-mode ring, radius 1, std 0.01, angles 2*pi*k/8, a fresh batch each step.
  One step = one D update, then one G update. Non-saturating loss on logits
  (BCE with logits).
  Variants:
    plain   NS-GAN.
    dragan  NS-GAN + DRAGAN penalty, in the authors' code form:
            s = std of all entries of the real batch (a constant),
            x_hat = x + alpha * 0.5 * s * U[0,1)^d, alpha ~ U[0,1] per sample,
            penalty = lambda * mean_i (||grad_x D(x_hat_i)||_2 - 1)^2,
            lambda = 10, gradient of the logit taken with create_graph=True,
            added to D's loss.

--model dcgan: the 28x28 DCGAN of Equilibrium's NN.DCGAN (width 64, 1 channel):
  G: z in R^100 ~ N(0, I) -> Linear 100->128*7*7 -> view [128, 7, 7] -> BatchNorm2d
     -> ReLU -> ConvTranspose2d 128->64 (k4 s2 p1) -> BatchNorm2d -> ReLU
     -> ConvTranspose2d 64->1 (k4 s2 p1) -> tanh          (28x28)
  D: Conv2d 1->64 (k4 s2 p1) -> LeakyReLU 0.2 -> Conv2d 64->128 (k4 s2 p1)
     [-> BatchNorm2d, plain variant only] -> LeakyReLU 0.2 -> Flatten
     -> Linear 6272->1 (logit)
  batch 64; Adam, lr 2e-4, betas (0.5, 0.999) for both. Data: a fixed set of
  1,024 images U[-1, 1) (drawn once from the seed); each batch draws 64 distinct
  indices. The dragan variant drops D's BatchNorm (the penalty is per sample) and
  adds the same DRAGAN penalty, with the norm over all of an image's pixels.

Timing: torch.set_num_threads(--threads, default 1); --warmup steps (default
50) run first, then --trials trials (default 5) of --steps steps each (default
200) are timed with time.perf_counter. The report gives the median steps/s
and ms/step for each variant. Sampling the data and the noise is part of the
timed step.

Usage:
  /work/venv-torch/bin/python benchmarks/pytorch_gan_step.py
  /work/venv-torch/bin/python benchmarks/pytorch_gan_step.py --threads 2 --variant dragan
  /work/venv-torch/bin/python benchmarks/pytorch_gan_step.py --model dcgan --threads 2
  /work/venv-torch/bin/python benchmarks/pytorch_gan_step.py --json results.json

Needs only torch (CPU). It installs nothing.
"""

import argparse
import json
import math
import os
import platform
import re
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

Z_DIM = 256
HIDDEN = 128
X_DIM = 2
BATCH = 512
LR_D = 1e-4
LR_G = 1e-3
BETAS = (0.5, 0.999)
RING_MODES = 8
RING_RADIUS = 1.0
RING_STD = 0.01
DRAGAN_LAMBDA = 10.0

DC_Z = 100
DC_WIDTH = 64
DC_BATCH = 64
DC_LR = 2e-4
DC_POOL = 1024


def make_generator():
    return nn.Sequential(
        nn.Linear(Z_DIM, HIDDEN), nn.ReLU(),
        nn.Linear(HIDDEN, HIDDEN), nn.ReLU(),
        nn.Linear(HIDDEN, X_DIM),
    )


def make_discriminator():
    return nn.Sequential(
        nn.Linear(X_DIM, HIDDEN), nn.ReLU(),
        nn.Linear(HIDDEN, HIDDEN), nn.ReLU(),
        nn.Linear(HIDDEN, 1),
    )


def make_dcgan_generator():
    w = DC_WIDTH
    return nn.Sequential(
        nn.Linear(DC_Z, 2 * w * 7 * 7), nn.Unflatten(1, (2 * w, 7, 7)),
        nn.BatchNorm2d(2 * w), nn.ReLU(),
        nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.BatchNorm2d(w), nn.ReLU(),
        nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh(),
    )


def make_dcgan_discriminator(batch_norm):
    w = DC_WIDTH
    layers = [nn.Conv2d(1, w, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(w, 2 * w, 4, 2, 1)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(2 * w))
    layers += [nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(2 * w * 7 * 7, 1)]
    return nn.Sequential(*layers)


def sample_ring(n, gen):
    """n points of the 8-mode ring: radius 1, angles 2*pi*k/8, std 0.01."""
    k = torch.randint(0, RING_MODES, (n,), generator=gen)
    angle = k.to(torch.float32) * (2.0 * math.pi / RING_MODES)
    centers = torch.stack((torch.cos(angle), torch.sin(angle)), dim=1) * RING_RADIUS
    return centers + RING_STD * torch.randn(n, X_DIM, generator=gen)


def dragan_penalty(D, real, gen):
    """Authors' code form of the DRAGAN penalty, on the logit."""
    s = real.std()  # std of all entries of the real batch; a constant (no grad)
    alpha = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), generator=gen)
    x_hat = (real + alpha * 0.5 * s * torch.rand(real.shape, generator=gen))
    x_hat.requires_grad_(True)
    logits = D(x_hat)
    (grad,) = torch.autograd.grad(
        outputs=logits, inputs=x_hat,
        grad_outputs=torch.ones_like(logits),
        create_graph=True,
    )
    return DRAGAN_LAMBDA * ((grad.flatten(1).norm(2, dim=1) - 1.0) ** 2).mean()


class GANStep:
    def __init__(self, variant, seed, model="mlp"):
        torch.manual_seed(seed)
        self.variant = variant
        self.gen = torch.Generator().manual_seed(seed + 1)
        if model == "dcgan":
            self.batch, self.z_dim = DC_BATCH, DC_Z
            self.G = make_dcgan_generator()
            self.D = make_dcgan_discriminator(batch_norm=(variant == "plain"))
            self.opt_g = torch.optim.Adam(self.G.parameters(), lr=DC_LR, betas=BETAS)
            self.opt_d = torch.optim.Adam(self.D.parameters(), lr=DC_LR, betas=BETAS)
            pool = torch.rand(DC_POOL, 1, 28, 28, generator=self.gen) * 2 - 1
            self.sample_real = lambda n, g: pool[torch.randperm(DC_POOL, generator=g)[:n]]
        else:
            self.batch, self.z_dim = BATCH, Z_DIM
            self.G = make_generator()
            self.D = make_discriminator()
            self.opt_g = torch.optim.Adam(self.G.parameters(), lr=LR_G, betas=BETAS)
            self.opt_d = torch.optim.Adam(self.D.parameters(), lr=LR_D, betas=BETAS)
            self.sample_real = sample_ring
        self.ones = torch.ones(self.batch, 1)
        self.zeros = torch.zeros(self.batch, 1)

    def step(self):
        G, D, gen = self.G, self.D, self.gen
        BATCH, Z_DIM = self.batch, self.z_dim
        # --- D update ---
        real = self.sample_real(BATCH, gen)
        z = torch.randn(BATCH, Z_DIM, generator=gen)
        with torch.no_grad():
            fake = G(z)
        self.opt_d.zero_grad(set_to_none=True)
        loss_d = (F.binary_cross_entropy_with_logits(D(real), self.ones)
                  + F.binary_cross_entropy_with_logits(D(fake), self.zeros))
        if self.variant == "dragan":
            loss_d = loss_d + dragan_penalty(D, real, gen)
        loss_d.backward()
        self.opt_d.step()
        # --- G update (non-saturating) ---
        z = torch.randn(BATCH, Z_DIM, generator=gen)
        self.opt_g.zero_grad(set_to_none=True)
        loss_g = F.binary_cross_entropy_with_logits(D(G(z)), self.ones)
        loss_g.backward()
        self.opt_g.step()
        return loss_d, loss_g


def bench(variant, warmup, trials, steps, seed, model="mlp"):
    runner = GANStep(variant, seed, model)
    for _ in range(warmup):
        loss_d, loss_g = runner.step()
    rates = []
    for _ in range(trials):
        t0 = time.perf_counter()
        for _ in range(steps):
            loss_d, loss_g = runner.step()
        dt = time.perf_counter() - t0
        rates.append(steps / dt)
    med = statistics.median(rates)
    return {
        "variant": variant,
        "trial_steps_per_s": rates,
        "median_steps_per_s": med,
        "median_ms_per_step": 1000.0 / med,
        "min_steps_per_s": min(rates),
        "max_steps_per_s": max(rates),
        "final_loss_d": loss_d.item(),
        "final_loss_g": loss_g.item(),
    }


def build_info(threads):
    cfg = torch.__config__.show()
    blas = [ln.strip(" -") for ln in cfg.splitlines()
            if any(w in ln for w in ("Math Kernel", "MKL-DNN", "OpenMP", "LAPACK is",
                                     "CPU capability"))]
    keys = ("BLAS_INFO", "LAPACK_INFO", "USE_MKL", "USE_MKLDNN", "USE_OPENMP")
    blas += [m.group(0) for m in
             re.finditer(r"\b(%s)=[^,\s]*" % "|".join(keys), cfg)]
    return {
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "num_threads": torch.get_num_threads(),
        "requested_threads": threads,
        "num_interop_threads": torch.get_num_interop_threads(),
        "mkl_available": torch.backends.mkl.is_available(),
        "mkldnn_available": torch.backends.mkldnn.is_available(),
        "mkldnn_enabled": bool(torch.backends.mkldnn.enabled),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "build_blas_lines": blas,
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                               "OPENBLAS_CORETYPE",
                                               "OPENBLAS_NUM_THREADS")},
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=("mlp", "dcgan"), default="mlp",
                   help="mlp: the ring MLP GAN, batch 512; dcgan: the 28x28 DCGAN, batch 64")
    p.add_argument("--threads", type=int, default=1,
                   help="torch.set_num_threads (default 1)")
    p.add_argument("--variant", choices=("plain", "dragan", "both"), default="both")
    p.add_argument("--warmup", type=int, default=50, help="warm-up steps (default 50)")
    p.add_argument("--trials", type=int, default=5, help="timed trials (default 5)")
    p.add_argument("--steps", type=int, default=200, help="steps per trial (default 200)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="PATH",
                   help="also write the results as JSON to PATH ('-' for stdout)")
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    variants = ["plain", "dragan"] if args.variant == "both" else [args.variant]
    results = [bench(v, args.warmup, args.trials, args.steps, args.seed, args.model)
               for v in variants]
    info = build_info(args.threads)

    title = "MLP GAN step (CPU), batch %d" % BATCH if args.model == "mlp" else \
        "DCGAN 28x28 step (CPU), batch %d" % DC_BATCH
    print(f"## PyTorch {title}\n")
    print(f"torch {info['torch_version']}, Python {info['python_version']}, "
          f"threads {info['num_threads']} (interop {info['num_interop_threads']}), "
          f"{info['cpu_count']} CPUs, CPU capability {info['cpu_capability']}")
    print(f"mkl available: {info['mkl_available']}, mkldnn available: "
          f"{info['mkldnn_available']}, mkldnn enabled: {info['mkldnn_enabled']}")
    print("build: " + "; ".join(info["build_blas_lines"]))
    print(f"warm-up {args.warmup} steps, {args.trials} trials x {args.steps} steps, "
          f"seed {args.seed}\n")
    print("| variant | median steps/s | ms/step | min–max steps/s |")
    print("|---|---:|---:|---:|")
    for r in results:
        print(f"| {r['variant']} | {r['median_steps_per_s']:.1f} | "
              f"{r['median_ms_per_step']:.2f} | "
              f"{r['min_steps_per_s']:.1f}–{r['max_steps_per_s']:.1f} |")

    if args.json:
        payload = {"config": vars(args), "info": info, "results": results}
        text = json.dumps(payload, indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as f:
                f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
