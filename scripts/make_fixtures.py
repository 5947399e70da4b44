#!/usr/bin/env python3
"""Generate PyTorch (float64) reference fixtures for the Equilibrium Swift tests.

The Swift test suite never runs Python: it loads the JSON files written by this
script (they are committed). Regenerate them only when a fixture must change:

    python3 -m venv /work/venv-torch
    /work/venv-torch/bin/pip install -r scripts/requirements-reference.txt
    /work/venv-torch/bin/python scripts/make_fixtures.py

The script is deterministic: every case seeds torch with its own fixed seed
(torch.manual_seed(k)), draws its inputs in float64, and stores the inputs as
well as the expected outputs, so a Swift test reads both from the same file.

File format (one case per file, except TensorTests/Fixtures/ops.json):

    {"name": "...", "torch_version": "...", "config": {...hyperparameters...},
     "tensors": {"<name>": {"shape": [...], "data": [flat row-major float64]}}}

A scalar is stored as a tensor of shape [1].

Fixtures
--------
Tests/OptimTests/Fixtures/  (param [3,4] "param0", gradients "grad0".."grad4",
parameter after step k in "param1".."param5"; the gradient of step k is
"grad{k-1}", set directly as p.grad, i.e. it does not depend on the parameter)
  sgd_plain.json                  SGD lr 0.1
  sgd_momentum_dampening.json     SGD lr 0.1, momentum 0.9, dampening 0.1 (first
                                  step: buf = grad, no dampening)
  sgd_momentum_nesterov_wd.json   SGD lr 0.1, momentum 0.9, nesterov, wd 0.01
  adam.json                       Adam lr 1e-2, betas (0.5, 0.999), eps 1e-8
  adam_wd.json                    Adam as above + weight_decay 0.1 (L2: g += wd*p)
  adamw.json                      AdamW lr 1e-2, betas (0.9, 0.999), eps 1e-8,
                                  weight_decay 0.1 (decoupled: p *= 1 - lr*wd)
  rmsprop.json                    RMSprop lr 1e-2, alpha 0.99, eps 1e-8
  rmsprop_momentum_centered.json  RMSprop as above + momentum 0.9, centered
  clip_grad_norm.json             clip_grad_norm_ over grads "g0" [3,4], "g1" [5],
                                  max_norm 1, norm_type 2 -> "total_norm" (before
                                  clipping) and "clipped_g0", "clipped_g1"
  clip_grad_norm_noclip.json      same with small grads: total norm < max_norm,
                                  grads unchanged

Tests/NNTests/Fixtures/  (input "x", parameters named as in PyTorch, output "y",
random cotangent "gy", and the gradients of sum(y*gy): "grad_x", "grad_weight",
"grad_bias", ...)
  linear.json                     Linear(5->3), batch 4; weight [out, in]
  conv2d_s1p0.json                Conv2d N2 Cin3 6x6 -> Cout4, k3 s1 p0
  conv2d_s2p1.json                Conv2d N2 Cin2 7x7 -> Cout3, k4 s2 p1
  convtranspose2d_s2p1.json       ConvTranspose2d N2 Cin3 4x4 -> Cout2, k4 s2 p1
                                  (weight [Cin, Cout, kH, kW]), output 8x8
  convtranspose2d_s1p0.json       ConvTranspose2d N2 Cin3 4x4 -> Cout2, k3 s1 p0,
                                  output 6x6
  batchnorm1d_train.json          BatchNorm1d(4) train mode, batch 6; running
                                  stats before ("running_mean_init",
                                  "running_var_init") and after one forward
                                  ("running_mean_out", "running_var_out"; the
                                  running var uses the UNBIASED batch variance)
  batchnorm1d_eval.json           BatchNorm1d(4) eval mode with given running
                                  stats "running_mean", "running_var"
  batchnorm2d_train.json          BatchNorm2d(2) train mode, N3 4x4 (as 1d)
  batchnorm2d_eval.json           BatchNorm2d(2) eval mode
  layernorm.json                  LayerNorm(6) on [4,6], eps 1e-5, affine
  mlp_double_backward.json        f = Linear(2,8) -> LeakyReLU(0.2) -> Linear(8,8)
                                  -> Tanh -> Linear(8,1); x [5,2]; "f" = f(x)
                                  [5,1]; "grad_x_f" = d f(x).sum()/dx (per-sample
                                  gradients); "grad_norms" [5];
                                  P = mean_i (||grad_x f(x_i)||_2 - 1)^2 in "P";
                                  dP/dparam in "grad_l1.weight", ...
  conv_double_backward.json       f = Conv2d(1,2,k3,s2,p1) -> Softplus -> flatten
                                  (NCHW order, 18 features) -> Linear(18,1);
                                  x [2,1,6,6]; same penalty; parameters
                                  "conv.weight", "conv.bias", "fc.weight",
                                  "fc.bias" and "grad_<param>"
  softplus_bce.json               binary_cross_entropy_with_logits (mean) on
                                  logits [6] with (partly soft) targets: "loss",
                                  "grad_logits" = dL/dz, and "grad_gradsq" =
                                  d ||dL/dz||^2 / dz (double backward)

Tests/TensorTests/Fixtures/
  ops.json                        several ops, tensors prefixed by op name
                                  ("<op>.x", "<op>.y", "<op>.gy", "<op>.grad_x",
                                  for matmul "<op>.a", "<op>.b", "<op>.grad_a",
                                  "<op>.grad_b"): logsumexp over dim 1 of [3,5]
                                  (row 2 offset by +800 to test stability),
                                  softplus (PyTorch threshold 20: x > 20 returns x),
                                  elu(alpha 1), leaky_relu(0.2), matmul
                                  [4,3]x[3,5], batched matmul [2,3,4]x[2,4,2]
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
DT = torch.float64

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPTIM_DIR = os.path.join(ROOT, "Tests", "OptimTests", "Fixtures")
NN_DIR = os.path.join(ROOT, "Tests", "NNTests", "Fixtures")
TENSOR_DIR = os.path.join(ROOT, "Tests", "TensorTests", "Fixtures")

TORCH_VERSION = torch.__version__


def tensor_entry(t):
    t = torch.as_tensor(t, dtype=DT).detach().cpu()
    shape = list(t.shape) if t.dim() > 0 else [1]
    data = [float(v) for v in t.reshape(-1).tolist()]
    for v in data:
        assert math.isfinite(v), "non-finite value in fixture"
    return {"shape": shape, "data": data}


def write_fixture(directory, filename, name, config, tensors):
    """Write one fixture; each tensor on its own line (readable diffs)."""
    lines = ["{"]
    lines.append('  "name": %s,' % json.dumps(name))
    lines.append('  "torch_version": %s,' % json.dumps(TORCH_VERSION))
    lines.append('  "config": %s,' % json.dumps(config, sort_keys=True))
    lines.append('  "tensors": {')
    items = list(tensors.items())
    for i, (key, t) in enumerate(items):
        entry = tensor_entry(t)
        sep = "," if i < len(items) - 1 else ""
        lines.append("    %s: %s%s" % (json.dumps(key),
                                       json.dumps(entry, allow_nan=False,
                                                  separators=(",", ":")),
                                       sep))
    lines.append("  }")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # sanity: valid JSON
    path = os.path.join(directory, filename)
    with open(path, "w") as f:
        f.write(text)
    return path


def randn(*shape, scale=1.0):
    return torch.randn(*shape, dtype=DT) * scale


# ---------------------------------------------------------------- optimizers

def optim_case(filename, seed, make_opt, config, steps=5):
    torch.manual_seed(seed)
    p0 = randn(3, 4)
    grads = [randn(3, 4) for _ in range(steps)]
    p = p0.clone().requires_grad_(True)
    opt = make_opt([p])
    tensors = {"param0": p0}
    for k, g in enumerate(grads):
        tensors["grad%d" % k] = g
    for k, g in enumerate(grads):
        opt.zero_grad()
        p.grad = g.clone()
        opt.step()
        tensors["param%d" % (k + 1)] = p.detach().clone()
    config = dict(config, steps=steps)
    write_fixture(OPTIM_DIR, filename, filename[:-5], config, tensors)


def make_optim():
    optim_case("sgd_plain.json", 100,
               lambda ps: torch.optim.SGD(ps, lr=0.1),
               {"optimizer": "SGD", "lr": 0.1, "momentum": 0.0,
                "dampening": 0.0, "nesterov": False, "weight_decay": 0.0})
    optim_case("sgd_momentum_dampening.json", 101,
               lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9,
                                          dampening=0.1),
               {"optimizer": "SGD", "lr": 0.1, "momentum": 0.9,
                "dampening": 0.1, "nesterov": False, "weight_decay": 0.0})
    optim_case("sgd_momentum_nesterov_wd.json", 102,
               lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9,
                                          dampening=0.0, nesterov=True,
                                          weight_decay=0.01),
               {"optimizer": "SGD", "lr": 0.1, "momentum": 0.9,
                "dampening": 0.0, "nesterov": True, "weight_decay": 0.01})
    optim_case("adam.json", 103,
               lambda ps: torch.optim.Adam(ps, lr=1e-2, betas=(0.5, 0.999),
                                           eps=1e-8),
               {"optimizer": "Adam", "lr": 1e-2, "beta1": 0.5,
                "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                "amsgrad": False})
    optim_case("adam_wd.json", 104,
               lambda ps: torch.optim.Adam(ps, lr=1e-2, betas=(0.5, 0.999),
                                           eps=1e-8, weight_decay=0.1),
               {"optimizer": "Adam", "lr": 1e-2, "beta1": 0.5,
                "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1,
                "weight_decay_form": "L2 (grad += wd * param)",
                "amsgrad": False})
    optim_case("adamw.json", 105,
               lambda ps: torch.optim.AdamW(ps, lr=1e-2, betas=(0.9, 0.999),
                                            eps=1e-8, weight_decay=0.1),
               {"optimizer": "AdamW", "lr": 1e-2, "beta1": 0.9,
                "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1,
                "weight_decay_form": "decoupled (param *= 1 - lr * wd)",
                "amsgrad": False})
    optim_case("rmsprop.json", 106,
               lambda ps: torch.optim.RMSprop(ps, lr=1e-2, alpha=0.99,
                                              eps=1e-8),
               {"optimizer": "RMSprop", "lr": 1e-2, "alpha": 0.99,
                "eps": 1e-8, "momentum": 0.0, "centered": False,
                "weight_decay": 0.0})
    optim_case("rmsprop_momentum_centered.json", 107,
               lambda ps: torch.optim.RMSprop(ps, lr=1e-2, alpha=0.99,
                                              eps=1e-8, momentum=0.9,
                                              centered=True),
               {"optimizer": "RMSprop", "lr": 1e-2, "alpha": 0.99,
                "eps": 1e-8, "momentum": 0.9, "centered": True,
                "weight_decay": 0.0})

    for filename, seed, scale in (("clip_grad_norm.json", 110, 1.0),
                                  ("clip_grad_norm_noclip.json", 111, 0.05)):
        torch.manual_seed(seed)
        g0 = randn(3, 4, scale=scale)
        g1 = randn(5, scale=scale)
        p0 = torch.zeros(3, 4, requires_grad=True)
        p1 = torch.zeros(5, requires_grad=True)
        p0.grad = g0.clone()
        p1.grad = g1.clone()
        total = torch.nn.utils.clip_grad_norm_([p0, p1], max_norm=1.0,
                                               norm_type=2.0)
        write_fixture(OPTIM_DIR, filename, filename[:-5],
                      {"max_norm": 1.0, "norm_type": 2.0,
                       "note": "clip_coef = max_norm / (total_norm + 1e-6), "
                               "applied only if < 1; total_norm is the norm "
                               "BEFORE clipping"},
                      {"g0": g0, "g1": g1, "total_norm": total,
                       "clipped_g0": p0.grad, "clipped_g1": p1.grad})


# ---------------------------------------------------------------- nn layers

def layer_case(filename, seed, module, x_shape, config, extra_pre=None,
               param_names=("weight", "bias"), train=True, x_scale=1.0,
               x_shift=0.0):
    """Forward/backward of `module` on random x with random cotangent gy."""
    torch.manual_seed(seed)
    module = module.to(DT)
    # Re-draw parameters from the seeded stream (nontrivial values).
    with torch.no_grad():
        for n in param_names:
            getattr(module, n).copy_(randn(*getattr(module, n).shape,
                                           scale=0.5))
        if extra_pre is not None:
            extra_pre(module)
    tensors = {}
    buffers_init = {}
    for b in ("running_mean", "running_var"):
        if hasattr(module, b) and getattr(module, b) is not None:
            buffers_init[b] = getattr(module, b).clone()
    x = (randn(*x_shape, scale=x_scale) + x_shift).requires_grad_(True)
    module.train(train)
    y = module(x)
    gy = randn(*y.shape)
    params = [getattr(module, n) for n in param_names]
    grads = torch.autograd.grad((y * gy).sum(), [x] + params)
    tensors["x"] = x
    for n in param_names:
        tensors[n] = getattr(module, n)
    if buffers_init:
        suffix = "_init" if train else ""
        for b, v in buffers_init.items():
            tensors[b + suffix] = v
    tensors["y"] = y
    tensors["gy"] = gy
    tensors["grad_x"] = grads[0]
    for n, g in zip(param_names, grads[1:]):
        tensors["grad_" + n] = g
    if buffers_init and train:
        for b in buffers_init:
            tensors[b + "_out"] = getattr(module, b)
    write_fixture(NN_DIR, filename, filename[:-5], config, tensors)


def make_nn():
    layer_case("linear.json", 200, nn.Linear(5, 3), (4, 5),
               {"layer": "Linear", "in_features": 5, "out_features": 3,
                "batch": 4, "weight_layout": "[out, in]"})
    layer_case("conv2d_s1p0.json", 201,
               nn.Conv2d(3, 4, kernel_size=3, stride=1, padding=0),
               (2, 3, 6, 6),
               {"layer": "Conv2d", "in_channels": 3, "out_channels": 4,
                "kernel_size": 3, "stride": 1, "padding": 0,
                "weight_layout": "[Cout, Cin, kH, kW]"})
    layer_case("conv2d_s2p1.json", 202,
               nn.Conv2d(2, 3, kernel_size=4, stride=2, padding=1),
               (2, 2, 7, 7),
               {"layer": "Conv2d", "in_channels": 2, "out_channels": 3,
                "kernel_size": 4, "stride": 2, "padding": 1,
                "weight_layout": "[Cout, Cin, kH, kW]"})
    layer_case("convtranspose2d_s2p1.json", 203,
               nn.ConvTranspose2d(3, 2, kernel_size=4, stride=2, padding=1,
                                  output_padding=0),
               (2, 3, 4, 4),
               {"layer": "ConvTranspose2d", "in_channels": 3,
                "out_channels": 2, "kernel_size": 4, "stride": 2,
                "padding": 1, "output_padding": 0,
                "weight_layout": "[Cin, Cout, kH, kW]",
                "output_size": "(H-1)*stride - 2*padding + kernel + output_padding"})
    layer_case("convtranspose2d_s1p0.json", 204,
               nn.ConvTranspose2d(3, 2, kernel_size=3, stride=1, padding=0),
               (2, 3, 4, 4),
               {"layer": "ConvTranspose2d", "in_channels": 3,
                "out_channels": 2, "kernel_size": 3, "stride": 1,
                "padding": 0, "output_padding": 0,
                "weight_layout": "[Cin, Cout, kH, kW]",
                "output_size": "(H-1)*stride - 2*padding + kernel + output_padding"})

    def bn_stats(m):
        m.running_mean.copy_(randn(*m.running_mean.shape, scale=0.3))
        m.running_var.copy_(torch.rand(*m.running_var.shape, dtype=DT) + 0.5)

    bn_note = ("train: y uses the biased batch variance; running_var_out = "
               "(1-momentum)*running_var_init + momentum*unbiased_batch_var; "
               "running_mean_out = (1-momentum)*running_mean_init + "
               "momentum*batch_mean")
    layer_case("batchnorm1d_train.json", 205,
               nn.BatchNorm1d(4, eps=1e-5, momentum=0.1, affine=True),
               (6, 4),
               {"layer": "BatchNorm1d", "num_features": 4, "eps": 1e-5,
                "momentum": 0.1, "affine": True, "training": True,
                "note": bn_note},
               extra_pre=bn_stats, x_scale=2.0, x_shift=0.5)
    layer_case("batchnorm1d_eval.json", 206,
               nn.BatchNorm1d(4, eps=1e-5, momentum=0.1, affine=True),
               (6, 4),
               {"layer": "BatchNorm1d", "num_features": 4, "eps": 1e-5,
                "momentum": 0.1, "affine": True, "training": False},
               extra_pre=bn_stats, train=False, x_scale=2.0, x_shift=0.5)
    layer_case("batchnorm2d_train.json", 207,
               nn.BatchNorm2d(2, eps=1e-5, momentum=0.1, affine=True),
               (3, 2, 4, 4),
               {"layer": "BatchNorm2d", "num_features": 2, "eps": 1e-5,
                "momentum": 0.1, "affine": True, "training": True,
                "note": bn_note + " (stats over N, H, W)"},
               extra_pre=bn_stats, x_scale=2.0, x_shift=0.5)
    layer_case("batchnorm2d_eval.json", 208,
               nn.BatchNorm2d(2, eps=1e-5, momentum=0.1, affine=True),
               (3, 2, 4, 4),
               {"layer": "BatchNorm2d", "num_features": 2, "eps": 1e-5,
                "momentum": 0.1, "affine": True, "training": False},
               extra_pre=bn_stats, train=False, x_scale=2.0, x_shift=0.5)
    layer_case("layernorm.json", 209,
               nn.LayerNorm(6, eps=1e-5, elementwise_affine=True),
               (4, 6),
               {"layer": "LayerNorm", "normalized_shape": [6], "eps": 1e-5,
                "elementwise_affine": True,
                "note": "biased variance over the last dim"},
               x_scale=2.0, x_shift=0.5)

    make_double_backward()
    make_softplus_bce()


def gradient_penalty(f, x, params):
    x = x.clone().requires_grad_(True)
    out = f(x)
    (gx,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    norms = gx.reshape(gx.shape[0], -1).norm(2, dim=1)
    P = ((norms - 1.0) ** 2).mean()
    # The output bias does not affect grad_x f, so its gradient is exactly 0
    # (stored as zeros; PyTorch would otherwise report it as unused).
    gparams = torch.autograd.grad(P, params, allow_unused=True)
    gparams = [torch.zeros_like(p) if g is None else g
               for p, g in zip(params, gparams)]
    return x, out, gx, norms, P, gparams


def make_double_backward():
    torch.manual_seed(300)
    mlp = nn.ModuleDict({"l1": nn.Linear(2, 8), "l2": nn.Linear(8, 8),
                         "l3": nn.Linear(8, 1)}).to(DT)

    def f(x):
        h = F.leaky_relu(mlp["l1"](x), 0.2)
        h = torch.tanh(mlp["l2"](h))
        return mlp["l3"](h)

    names = ["l1.weight", "l1.bias", "l2.weight", "l2.bias", "l3.weight",
             "l3.bias"]
    params = [dict(mlp.named_parameters())[n] for n in names]
    x = randn(5, 2)
    x, out, gx, norms, P, gparams = gradient_penalty(f, x, params)
    tensors = {"x": x}
    for n, p in zip(names, params):
        tensors[n] = p
    tensors.update({"f": out, "grad_x_f": gx, "grad_norms": norms, "P": P})
    for n, g in zip(names, gparams):
        tensors["grad_" + n] = g
    write_fixture(NN_DIR, "mlp_double_backward.json", "mlp_double_backward",
                  {"model": "Linear(2,8) -> LeakyReLU(0.2) -> Linear(8,8) -> "
                            "Tanh -> Linear(8,1)",
                   "penalty": "P = mean_i (||d f(x).sum() / d x_i||_2 - 1)^2",
                   "parameters": names,
                   "note": "the last layer's bias does not enter grad_x f, so "
                           "dP/d(last bias) is exactly zero"},
                  tensors)

    torch.manual_seed(301)
    net = nn.ModuleDict({"conv": nn.Conv2d(1, 2, 3, stride=2, padding=1),
                         "fc": nn.Linear(18, 1)}).to(DT)

    def g(x):
        h = F.softplus(net["conv"](x))
        return net["fc"](h.flatten(1))

    names = ["conv.weight", "conv.bias", "fc.weight", "fc.bias"]
    params = [dict(net.named_parameters())[n] for n in names]
    x = randn(2, 1, 6, 6)
    x, out, gx, norms, P, gparams = gradient_penalty(g, x, params)
    tensors = {"x": x}
    for n, p in zip(names, params):
        tensors[n] = p
    tensors.update({"f": out, "grad_x_f": gx, "grad_norms": norms, "P": P})
    for n, gp in zip(names, gparams):
        tensors["grad_" + n] = gp
    write_fixture(NN_DIR, "conv_double_backward.json", "conv_double_backward",
                  {"model": "Conv2d(1,2,k3,s2,p1) -> Softplus -> flatten "
                            "(NCHW, 2*3*3=18) -> Linear(18,1)",
                   "penalty": "P = mean_i (||d f(x).sum() / d x_i||_2 - 1)^2 "
                              "(norm over all C*H*W entries of sample i)",
                   "parameters": names,
                   "note": "the last layer's bias does not enter grad_x f, so "
                           "dP/d(last bias) is exactly zero"},
                  tensors)


def make_softplus_bce():
    torch.manual_seed(400)
    z = (randn(6) * 2.0).requires_grad_(True)
    t = torch.tensor([1.0, 0.0, 1.0, 0.9, 0.0, 0.1], dtype=DT)
    loss = F.binary_cross_entropy_with_logits(z, t, reduction="mean")
    (gz,) = torch.autograd.grad(loss, z, create_graph=True)
    sq = (gz ** 2).sum()
    (ggz,) = torch.autograd.grad(sq, z)
    write_fixture(NN_DIR, "softplus_bce.json", "softplus_bce",
                  {"loss": "binary_cross_entropy_with_logits, reduction mean",
                   "identity": "loss = mean(softplus(z) - t*z); dL/dz = "
                               "(sigmoid(z) - t)/n",
                   "grad_gradsq": "d/dz sum((dL/dz)^2)"},
                  {"logits": z, "targets": t, "loss": loss,
                   "grad_logits": gz, "grad_gradsq": ggz})


# ---------------------------------------------------------------- tensor ops

def make_ops():
    tensors = {}

    def unary(name, seed, fn, x):
        torch.manual_seed(seed)
        x = x.clone().requires_grad_(True)
        y = fn(x)
        gy = randn(*y.shape)
        (gx,) = torch.autograd.grad((y * gy).sum(), x)
        tensors.update({name + ".x": x, name + ".y": y, name + ".gy": gy,
                        name + ".grad_x": gx})

    torch.manual_seed(500)
    x = randn(3, 5) * 2.0
    x[2] += 800.0  # naive exp would overflow: tests the max-shift
    unary("logsumexp", 501, lambda t: torch.logsumexp(t, dim=1), x)

    torch.manual_seed(510)
    base = randn(3, 4) * 3.0
    # Values on both sides of 0 plus large |x| (softplus threshold is 20).
    special = torch.tensor([-30.0, -5.0, 25.0, 0.25], dtype=DT)
    x = torch.cat([base.reshape(-1), special]).reshape(4, 4)
    unary("softplus", 511, F.softplus, x)
    unary("elu", 512, lambda t: F.elu(t, alpha=1.0), x)
    unary("leaky_relu", 513, lambda t: F.leaky_relu(t, 0.2), x)

    def binary(name, seed, a_shape, b_shape):
        torch.manual_seed(seed)
        a = randn(*a_shape).requires_grad_(True)
        b = randn(*b_shape).requires_grad_(True)
        y = torch.matmul(a, b)
        gy = randn(*y.shape)
        ga, gb = torch.autograd.grad((y * gy).sum(), [a, b])
        tensors.update({name + ".a": a, name + ".b": b, name + ".y": y,
                        name + ".gy": gy, name + ".grad_a": ga,
                        name + ".grad_b": gb})

    binary("matmul", 520, (4, 3), (3, 5))
    binary("bmm", 521, (2, 3, 4), (2, 4, 2))

    write_fixture(TENSOR_DIR, "ops.json", "ops",
                  {"ops": {
                      "logsumexp": "torch.logsumexp(x, dim=1); row 2 of x is "
                                   "offset by +800",
                      "softplus": "F.softplus(x) (beta 1, threshold 20: "
                                  "returns x where x > 20)",
                      "elu": "F.elu(x, alpha=1.0)",
                      "leaky_relu": "F.leaky_relu(x, 0.2)",
                      "matmul": "a [4,3] @ b [3,5]",
                      "bmm": "a [2,3,4] @ b [2,4,2] (batched)"},
                   "gradients": "grad_* = d sum(y * gy) / d input"},
                  tensors)


def main():
    for d in (OPTIM_DIR, NN_DIR, TENSOR_DIR):
        os.makedirs(d, exist_ok=True)
    make_optim()
    make_nn()
    make_ops()
    print("fixtures written with torch", TORCH_VERSION)


if __name__ == "__main__":
    main()
