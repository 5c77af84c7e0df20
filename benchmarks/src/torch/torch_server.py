"""The PyTorch side of the `torch-cpu` bench runners (benchmarks/src/torch-runner.ts).

One process per runner, started with the runner's thread count. It reads one JSON request per line
on stdin and answers one JSON line on stdout, in order:

  {"op": "hello"}                          -> torch's version, threads, the BLAS library it loaded
  {"op": "setup", "id": N, "case": {...}}  -> builds a case ("matmul" or "gan") from the data sent
  {"op": "run", "id": N, "n": K}           -> runs K iterations of case N back to back
  {"op": "output", "id": N}                -> the case's check output (float32, base64)
  {"op": "dispose", "id": N}

Arrays travel as base64 of little-endian float32. The cases are the same math as the saddle and
tfjs cases beside them (benches/matmul.ts, benches/gan-iteration.ts): the same inputs, the same
networks, losses, gradients (torch.autograd.grad over the stepping player's parameters only) and
the same momentum SGD update; see those files.
"""
import base64
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

THREADS = int(os.environ.get("SADDLE_TORCH_THREADS", "1"))
torch.set_num_threads(THREADS)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.set_grad_enabled(False)


def f32(s, shape=None):
    t = torch.frombuffer(bytearray(base64.b64decode(s)), dtype=torch.float32)
    return t.reshape(shape) if shape is not None else t


def to_b64(t):
    # Debian's python3-torch depends on python3-numpy.
    return base64.b64encode(t.detach().contiguous().to(torch.float32).numpy().tobytes()).decode()


def loaded_blas():
    """The BLAS and OpenMP shared libraries mapped into this process (after a product has run)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                name = os.path.basename(path)
                if "blas" in name or "lapack" in name or "omp" in name or "mkl" in name:
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


class Matmul:
    """C = act(op(A) op(B) + bias), the inputs as the saddle case stores them (transposed views for transA/transB)."""

    def __init__(self, c):
        self.a = f32(c["a"], c["aShape"])
        self.b = f32(c["b"], c["bShape"])
        self.bias = f32(c["bias"]) if c.get("bias") else None
        self.opA = self.a.t() if c["transA"] else self.a
        self.opB = self.b.t() if c["transB"] else self.b
        self.act = c["activation"]

    def once(self):
        y = torch.addmm(self.bias, self.opA, self.opB) if self.bias is not None else torch.mm(self.opA, self.opB)
        if self.act == "relu":
            y = torch.relu_(y)
        elif self.act == "sigmoid":
            y = torch.sigmoid_(y)
        return y

    def run(self, n):
        for _ in range(n):
            self.once()

    def output(self):
        return self.once()


class Gan:
    """One iteration of Algorithm 1 (k = 1) as GanTrainer.iteration() does it (see benches/gan-iteration.ts)."""

    def __init__(self, c):
        cfg = c["config"]
        self.cfg = cfg
        self.B = cfg["batch"]
        self.zDim = cfg["generator"]["zDim"]
        d = cfg["discriminator"]
        self.units = d["units"]
        self.pieces = d["pieces"]
        self.keepInput = d["keepInput"]
        self.keepHidden = d["keepHidden"]
        self.params = [f32(p["data"], p["shape"]).clone() for p in c["params"]]
        self.vels = [torch.zeros_like(p) for p in self.params]
        g = c["gCount"]
        self.gParams, self.dParams = self.params[:g], self.params[g:]
        self.gVels, self.dVels = self.vels[:g], self.vels[g:]
        self.images = c["images"]
        self.data = f32(c["ordered"], [self.images, cfg["discriminator"]["inDim"]])
        self.targets2B = torch.cat([torch.ones(self.B, 1), torch.zeros(self.B, 1)])
        self.onesB = torch.ones(self.B, 1)
        self.accD = torch.zeros(3)
        self.accG = torch.zeros(1)
        self.dSteps = 0
        self.gSteps = 0
        self.batchIndex = 0
        self.replay = None
        if c.get("draws"):
            dr = c["draws"]
            self.replay = {"z": [f32(dr["zD"], [self.B, self.zDim]), f32(dr["zG"], [self.B, self.zDim])], "masks": [f32(m) for m in dr["masksD"] + dr["masksG"]]}

    # The trainer's schedules at epoch 0 (nn's schedules.exponentialDecay and linearRamp).
    def lr(self, step):
        c = self.cfg
        return max(c["lr"] / c["lrDecay"] ** step, c["lrFloor"])

    def momentum(self, step):
        c = self.cfg
        epoch = 0
        if epoch <= c["momentumStartEpoch"]:
            return c["momentumStart"]
        if epoch >= c["momentumEndEpoch"]:
            return c["momentumEnd"]
        return c["momentumStart"] + (c["momentumEnd"] - c["momentumStart"]) * (epoch - c["momentumStartEpoch"]) / (c["momentumEndEpoch"] - c["momentumStartEpoch"])

    def z(self):
        if self.replay is not None:
            return self.replay["z"].pop(0)
        return torch.empty(self.B, self.zDim).uniform_(-math.sqrt(3), math.sqrt(3))

    def mask(self, rows, cols, keep):
        if self.replay is not None:
            return self.replay["masks"].pop(0).reshape(rows, cols)
        return torch.empty(rows, cols).bernoulli_(keep).div_(keep)

    def G(self, z):
        n = len(self.gParams) // 2
        h = z
        for i in range(n):
            h = torch.addmm(self.gParams[2 * i + 1], h, self.gParams[2 * i])
            h = torch.sigmoid(h) if i + 1 == n else torch.relu(h)
        return h

    def D(self, x):
        rows = x.shape[0]
        h = x
        for i, units in enumerate(self.units):
            keep = self.keepInput if i == 0 else self.keepHidden
            if keep < 1:
                h = h * self.mask(rows, h.shape[1], keep)
            zz = torch.addmm(self.dParams[2 * i + 1], h, self.dParams[2 * i])
            h = zz.view(rows, units, self.pieces).max(-1).values
        keep = self.keepInput if len(self.units) == 0 else self.keepHidden
        if keep < 1:
            h = h * self.mask(rows, h.shape[1], keep)
        k = len(self.units)
        return torch.addmm(self.dParams[2 * k + 1], h, self.dParams[2 * k])

    def update(self, params, vels, grads, step):
        # saddle's SGD: v <- momentum v - lr g; p <- p + v.
        lr = self.lr(step)
        m = self.momentum(step)
        for p, v, g in zip(params, vels, grads):
            v.mul_(m).add_(g, alpha=-lr)
            p.add_(v)

    def iteration(self):
        B = self.B
        batches = self.images // B
        # D step: G without gradients, D on [x; G(z)], the loss against B ones and B zeros.
        x = self.data[(self.batchIndex % batches) * B:(self.batchIndex % batches + 1) * B]
        self.batchIndex += 1
        fake = self.G(self.z())
        both = torch.cat([x, fake])
        for p in self.dParams:
            p.requires_grad_(True)
        with torch.enable_grad():
            logits = self.D(both)
            loss = F.binary_cross_entropy_with_logits(logits, self.targets2B)
            grads = torch.autograd.grad(loss, self.dParams)
        for p in self.dParams:
            p.requires_grad_(False)
        self.update(self.dParams, self.dVels, grads, self.dSteps)
        self.dSteps += 1
        means = torch.sigmoid(logits.detach()).view(2, B).mean(1)
        self.accD += torch.cat([loss.detach().view(1), means])
        # G step: fresh z, D(G(z)) differentiated for G's parameters only, the non-saturating loss.
        z = self.z()
        for p in self.gParams:
            p.requires_grad_(True)
        with torch.enable_grad():
            gl = F.binary_cross_entropy_with_logits(self.D(self.G(z)), self.onesB)
            grads = torch.autograd.grad(gl, self.gParams)
        for p in self.gParams:
            p.requires_grad_(False)
        self.update(self.gParams, self.gVels, grads, self.gSteps)
        self.gSteps += 1
        self.accG += gl.detach().view(1)

    def run(self, n):
        for _ in range(n):
            self.iteration()

    def output(self):
        return torch.cat([v.reshape(-1) for v in self.vels])


KINDS = {"matmul": Matmul, "gan": Gan}


def main():
    cases = {}
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "hello":
                res = {"torch": torch.__version__, "threads": torch.get_num_threads(), "libraries": loaded_blas(), "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY")}
            elif op == "setup":
                c = req["case"]
                cases[req["id"]] = KINDS[c["kind"]](c)
                res = {}
            elif op == "run":
                cases[req["id"]].run(req["n"])
                res = {}
            elif op == "output":
                res = {"data": to_b64(cases[req["id"]].output())}
            elif op == "dispose":
                cases.pop(req["id"], None)
                res = {}
            else:
                res = {"error": f"unknown op {op}"}
        except Exception as e:  # reported to the runner, which marks the case failed
            res = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
