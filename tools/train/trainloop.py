"""The shared training loop: AdamW, linear warm-up then cosine decay to 10 %, gradient clipping,
a log line every LOG_EVERY steps to work/<model>/train.log."""
import math
import time

import torch

LOG_EVERY = 50


def lr_at(step, total, peak, warmup, schedule='cosine'):
    if step < warmup:
        return peak * (step + 1) / warmup
    if schedule == 'constant':
        return peak
    frac = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))


def train(model, batch_fn, loss_fn, steps, peak_lr, log, warmup=100, weight_decay=0.01, clip=1.0,
          schedule='cosine', ckpt=None):
    """batch_fn(step) -> batch; loss_fn(model, batch) -> (loss, extra dict). Returns the loss history.
    With schedule='constant' the first N steps do not depend on `steps`, so a run stopped at a
    checkpoint (ckpt = path with {step}, written every LOG_EVERY steps) equals a run of N steps."""
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': weight_decay},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=peak_lr, betas=(0.9, 0.98), eps=1e-8)
    model.train()
    history, t0, window = [], time.time(), []
    for step in range(steps):
        for g in opt.param_groups:
            g['lr'] = lr_at(step, steps, peak_lr, warmup, schedule)
        loss, extra = loss_fn(model, batch_fn(step))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        window.append(loss.item())
        if (step + 1) % LOG_EVERY == 0 or step == steps - 1:
            mean = sum(window) / len(window)
            history.append({'step': step + 1, 'loss': round(mean, 4), 'seconds': round(time.time() - t0, 1),
                            **{k: round(v, 4) for k, v in extra.items()}})
            log(f'step {step + 1}/{steps} loss {mean:.4f} lr {opt.param_groups[0]["lr"]:.2e} '
                f'{time.time() - t0:.0f}s ' + ' '.join(f'{k} {v:.4f}' for k, v in extra.items()))
            window = []
            if ckpt is not None:
                torch.save({'model': model.state_dict(), 'history': history, 'seconds': time.time() - t0},
                           str(ckpt).format(step=step + 1))
    model.eval()
    return history, time.time() - t0


def run_phases(model, phases, work, log, train_phase, resume=0, finalize_at=None):
    """Runs `phases` in order, each continuing from the previous one's weights with a fresh
    optimizer, and returns the summed (history, seconds); history steps count across phases.
    resume=K skips phases 1..K: the weights come from phase K's last checkpoint, and every skipped
    phase's history and seconds from its own last checkpoint. finalize_at=N ends the last phase at
    its step-N checkpoint instead of training it. train_phase(i, phase) -> (history, seconds)."""
    history, seconds = [], 0.0

    def append(i, h, sec):
        nonlocal seconds
        offset = history[-1]['step'] if history else 0
        history.extend({**x, 'step': x['step'] + offset, 'phase': i + 1} for x in h)
        seconds += sec

    for i, ph in enumerate(phases):
        if i < resume:
            ck = torch.load(work / f"phase{i + 1}-step{ph['steps']}.pt")
            if i == resume - 1:
                model.load_state_dict(ck['model'])
            append(i, ck['history'], ck['seconds'])
            continue
        log(f'phase {i + 1}: {ph}')
        if i == len(phases) - 1 and finalize_at:
            ck = torch.load(work / f'phase{i + 1}-step{finalize_at}.pt')
            model.load_state_dict(ck['model'])
            ph['steps'] = finalize_at
            append(i, ck['history'], ck['seconds'])
        else:
            append(i, *train_phase(i, ph))
        torch.save(model.state_dict(), work / f'phase{i + 1}.pt')
    return history, seconds
