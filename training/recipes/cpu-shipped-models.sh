#!/usr/bin/env bash
# Trains the three shipped models (AVOL-Net, AVE-Net, L3-Net) from scratch on
# the machine at hand: the 2-core CPU machine is the plan, a CUDA GPU is used
# when there is one. Stages (each skipped when its result exists):
#   1. build soundspot-cli          2. asset pack (out/scenes.sspack)
#   3. bench train (speed figures)  4. AVE-Net  5. AVOL-Net (from AVE-Net's towers)
#   6. L3-Net (contrastive too)
#   7. copy the models into resources/models/{avol,ave,l3} with their cards
#   8. with ENSEMBLE=1 only: the ensemble of docs/TRAINING-STUDY.md "Ensembles": the largest
#      asset pack (out/scenes-scratch.sspack), an AVE-Net on it, a 3,454-step
#      AVOL-Net from its towers, and `ensemble` of that with the shipped
#      AVOL-Net into RUN/avol-ensemble (about 75 minutes more on 2 cores)
#   9. with ENSEMBLE=1 too: RUN/avol-distilled, one AVOL-Net that learns to
#      answer like that ensemble (`train --teacher --distill-temperature 0.2`),
#      run DISTILL_MODELS times (default 3, seeds 1, 2, 3), and RUN/avol-soup, the
#      average of their weights (training/recipes/average-models.py), shipped
#      as DEST/avol in place of stage 5's
#
#   nohup bash training/recipes/cpu-shipped-models.sh > out/cpu-run.log 2>&1 &
#   bash training/recipes/cpu-shipped-models.sh --resume    # after a stop, a kill -9 or on a new machine
#   bash training/recipes/cpu-shipped-models.sh --ship-only # ship the stages finished so far
#
# Every trainer checkpoints atomically at least every 10 minutes; --resume
# continues each stage from its checkpoint (the run folder RUN, default
# training/runs/cpu, is small enough to commit so that a run can move to a
# fresh machine). Without --resume an existing run folder is refused.
#
# Environment: RUN (run folder), PACK, DEST (default resources/models), the
# budgets AVE_STEPS / AVOL_STEPS / L3_STEPS, WIDTH, BATCH, THREADS (default:
# all cores), TRAIN_ARGS (extra `train` options for every stage, e.g.
# --vary-instances), and for stages 8 and 9 ENSEMBLE=1, LARGE_PACK,
# ENSEMBLE_AVOL_STEPS (default 3454, the budget of stage 8's AVOL-Net),
# DISTILL_MODELS (runs of stage 9; 1 ships that run without averaging) and
# DISTILL_STEPS (the budget of each run of stage 9).
set -euo pipefail
cd "$(dirname "$0")/../.."
RESUME=0; SHIP_ONLY=0
for a in "$@"; do
  case "$a" in
    --resume) RESUME=1 ;;
    --ship-only) SHIP_ONLY=1; RESUME=1 ;;  # only stage 7: the models as far as they are trained
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;  # the header above
    *) echo "cpu-recipe: unknown argument $a (--resume, --ship-only)" >&2; exit 2 ;;
  esac
done
T0=$(date +%s)
RUN="${RUN:-training/runs/cpu}"
PACK="${PACK:-out/scenes.sspack}"
DEST="${DEST:-resources/models}"
WIDTH="${WIDTH:-16}"; BATCH="${BATCH:-32}"
AVE_STEPS="${AVE_STEPS:-10000}"; AVOL_STEPS="${AVOL_STEPS:-16000}"; L3_STEPS="${L3_STEPS:-2500}"
THREADS="${THREADS:-0}"
ENSEMBLE_AVOL_STEPS="${ENSEMBLE_AVOL_STEPS:-3454}"
DISTILL_MODELS="${DISTILL_MODELS:-3}"; DISTILL_STEPS="${DISTILL_STEPS:-$ENSEMBLE_AVOL_STEPS}"
if [ -d "$RUN" ] && [ "$RESUME" = 0 ] && [ -n "$(ls -A "$RUN" 2>/dev/null)" ]; then
  echo "cpu-recipe: $RUN already holds a run; continue it with --resume or remove it" >&2; exit 2
fi
mkdir -p "$RUN" out

BUILD="${SOUNDSPOT_BUILD_DIR:-build}"
if [ ! -x "$BUILD/app/soundspot-cli" ]; then
  if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 \
     && TP=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)' 2>/dev/null); then
    # The CUDA machine (../shared/GPU.md): CUDA LibTorch from Python's torch, no Qt/FFmpeg there.
    BUILD="${SOUNDSPOT_BUILD_DIR:-build-gpu}"
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$TP" \
          -DSOUNDSPOT_WITH_QT=OFF -DSOUNDSPOT_WITH_FFMPEG=OFF -DSOUNDSPOT_BUILD_TESTS=OFF >/dev/null
  else
    bash packaging/install-deps.sh
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
fi
cmake --build "$BUILD" --target soundspot-cli -j "$(nproc)" >/dev/null
CLI="$BUILD/app/soundspot-cli"
DEVICE=cpu
HARDWARE="$(nproc) CPU cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/Mem:/{print $2}') GB"
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 && "$CLI" about 2>/dev/null | grep -q 'CUDA available: yes'; then
  DEVICE=cuda; HARDWARE="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1), $HARDWARE"
fi
COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo '+changes')"
# bf16 autocast where the CPU has bf16 instructions (+25% samples/s measured here).
if [ "$DEVICE" = cpu ] && grep -qw avx512_bf16 /proc/cpuinfo; then export SOUNDSPOT_CPU_BF16="${SOUNDSPOT_CPU_BF16:-1}"; fi
echo "cpu-recipe: $HARDWARE, device $DEVICE, code $COMMIT, cpu bf16 ${SOUNDSPOT_CPU_BF16:-0}"

[ "$SHIP_ONLY" = 1 ] || [ -f "$PACK" ] || "$CLI" pack --out "$PACK"

if [ "$SHIP_ONLY" = 0 ] && [ ! -f "$RUN/bench-train.json" ]; then
  "$CLI" --threads "$THREADS" bench train --arch avol --tower compact --objective contrastive --width "$WIDTH" \
      --batch "$BATCH" --steps 10 --device "$DEVICE" --scenes "$PACK" > "$RUN/bench-train.json.tmp"
  mv "$RUN/bench-train.json.tmp" "$RUN/bench-train.json"
fi
cat "$RUN/bench-train.json"

# One stage: trains until its step budget, resuming from its checkpoint.
train() {  # stage-folder arch objective steps extra-args...
  local stage=$1 arch=$2 objective=$3 steps=$4; shift 4
  local out="$RUN/$stage"
  if [ -f "$out/done.json" ]; then echo "cpu-recipe: $stage already trained"; return 0; fi
  [ "$SHIP_ONLY" = 0 ] || return 0
  local resume=()
  [ -f "$out/checkpoint/state.json" ] && resume=(--resume)
  echo "cpu-recipe: training $stage ($arch, $objective, $steps steps) ${resume[*]}"
  local t=$(date +%s)
  "$CLI" --threads "$THREADS" train --scenes "$PACK" --arch "$arch" --objective "$objective" --tower compact \
      --width "$WIDTH" --batch "$BATCH" --steps "$steps" --device "$DEVICE" --val-every 100 --checkpoint-every 0 \
      --checkpoint-minutes 10 --out "$out" "${resume[@]}" "$@" ${TRAIN_ARGS:-} > "$out.result.json.tmp"
  mv "$out.result.json.tmp" "$out/result.json"
  if grep -q '"cancelled":true' "$out/result.json"; then
    echo "cpu-recipe: $stage stopped at a checkpoint; continue with --resume" >&2; exit 130
  fi
  echo "{\"wall_seconds_last_session\": $(( $(date +%s) - t ))}" > "$out/done.json"
  cat "$out/result.json"
}
# AVE-Net first: its global objective leaves chance on this CPU long before
# AVOL-Net's max over positions does from scratch (README, Training objectives).
# AVOL-Net then starts from its conv towers, with the max over positions
# alone (the mean over positions taught the background the scene's sound:
# docs/runs/avol-max-and-mean), leaving out the hardest quarter of each batch:
# mostly sounds that nothing in the frame makes, which would otherwise teach
# the background to answer any sound (docs/runs/avol-drop-hardest-25). The
# stage folder keeps its name from the runs where a short AVE-Net warm start
# (RUN/ave, kept for the findings that start from it) fed AVOL-Net and this
# one was trained on from it. The model saved is the average of the weights
# over about the last 1,000 steps (--weight-average-decay 0.999): the last
# step's weights carry the noise of the last few batches, which the average
# smooths out (docs/runs/avol-weight-average).
train ave-retrieval ave contrastive "$AVE_STEPS" --lr 3e-4 --warmup 100
train avol avol contrastive "$AVOL_STEPS" --lr 3e-4 --warmup 100 --init "$RUN/ave-retrieval" --drop-hardest-pairs 0.25 \
    --weight-average-decay 0.999
# L3-Net on the same contrastive objective, its head scoring every pair of
# the batch: with the paper's AVC objective it stayed at chance for 2,000
# steps here (docs/runs/l3-avc).
train l3 l3 contrastive "$L3_STEPS" --lr 3e-4 --warmup 100

# The shipped folders: weights and card of each stage, plus what produced them.
# The card names the command with the budgets this run used. AVOL-Net comes
# from stage 9 once it has finished (ENSEMBLE=1), else from stage 5.
COMMAND="${TRAIN_ARGS:+TRAIN_ARGS='$TRAIN_ARGS' }${ENSEMBLE:+ENSEMBLE=$ENSEMBLE DISTILL_MODELS=$DISTILL_MODELS DISTILL_STEPS=$DISTILL_STEPS }AVE_STEPS=$AVE_STEPS AVOL_STEPS=$AVOL_STEPS L3_STEPS=$L3_STEPS WIDTH=$WIDTH BATCH=$BATCH bash training/recipes/cpu-shipped-models.sh"
ship() {
  local avol_stage=avol
  # Until the soup is made, stage 9's first run is the best AVOL-Net there is.
  if [ "${ENSEMBLE:-0}" = 1 ]; then
    if [ "$DISTILL_MODELS" -gt 1 ] && [ -f "$RUN/avol-soup/card.json" ]; then
      avol_stage=avol-soup
    elif [ -f "$RUN/avol-distilled/done.json" ]; then
      avol_stage=avol-distilled
    fi
  fi
  python3 - "$RUN" "$DEST" "$HARDWARE" "$COMMIT" "$THREADS" "$COMMAND" "$avol_stage" <<'PY'
import json, pathlib, shutil, sys, os
run, dest, hardware, commit, threads, command, avol_stage = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), *sys.argv[3:]
bench = json.loads((run / "bench-train.json").read_text())
for arch, stage in (("avol", avol_stage), ("ave", "ave-retrieval"), ("l3", "l3")):
    src = run / stage
    if not (src / "card.json").exists():
        print(f"cpu-recipe: {arch} not trained yet, not shipped"); continue
    # Already shipped (a --resume after the run finished): its card keeps the
    # commit, hardware and command that made it, not this session's.
    weights = ("vision.safetensors", "audio.safetensors", "head.safetensors")
    if all((dest / arch / f).exists() and (dest / arch / f).read_bytes() == (src / f).read_bytes() for f in weights):
        print(f"cpu-recipe: {dest / arch} already shipped"); continue
    card = json.loads((src / "card.json").read_text())
    r = card.setdefault("recipe", {})
    # A soup has no curves of its own: those of its runs stay in their folders.
    metrics = [json.loads(l) for l in (src / "metrics.jsonl").read_text().splitlines() if l.strip()] \
        if (src / "metrics.jsonl").exists() else []
    r["command"] = command
    r["code_commit"] = commit
    r["hardware"] = hardware
    # A soup's runs each saw steps x batch pairs.
    r["samples_seen"] = r.get("steps", 0) * r.get("batch", 0) * max(1, len(r.get("averaged_models", [])))
    # A stage stopped before its budget (--ship-only mid-run) says so.
    r["finished"] = (src / "done.json").exists() or "averaged_models" in r
    r["wall_seconds"] = r.get("train_seconds")
    # Training time of every stage this model needs, from scratch.
    # Stage 9 (one run, or the soup, whose card sums its runs' time) needs stages 4, 5 and 8.
    stage9_needs = ["ave-retrieval", "avol", "ave-largest-pack", "avol-largest-pack"]
    feeds = {"avol": ["ave-retrieval", "avol"], "ave-retrieval": ["ave-retrieval"], "l3": ["l3"],
             "avol-distilled": stage9_needs + ["avol-distilled"], "avol-soup": stage9_needs + ["avol-soup"]}[stage]
    r["stages_from_scratch"] = {s: json.loads((run / s / "card.json").read_text())["recipe"].get("train_seconds") for s in feeds}
    r["wall_seconds_from_scratch"] = round(sum(v or 0 for v in r["stages_from_scratch"].values()), 1)
    r["bench"] = bench
    last_val = [m for m in metrics if "val_acc" in m]
    if last_val:
        r["final_val"] = {k: v for k, v in last_val[-1].items() if k.startswith("val_") or k == "step"}
    tmp = dest / (arch + ".tmp-new")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in ("vision.safetensors", "audio.safetensors", "head.safetensors", "metrics.jsonl"):
        if f != "metrics.jsonl" or (src / f).exists(): shutil.copy2(src / f, tmp / f)
    (tmp / "card.json").write_text(json.dumps(card, indent=2) + "\n")
    old = dest / (arch + ".tmp-old")
    shutil.rmtree(old, ignore_errors=True)
    if (dest / arch).exists(): os.rename(dest / arch, old)
    os.rename(tmp, dest / arch)
    shutil.rmtree(old, ignore_errors=True)
    print(f"cpu-recipe: {dest / arch} (from {src})")
PY
}
ship

# 8. The ensemble (docs/TRAINING-STUDY.md, Ensembles): a second AVOL-Net whose pictures and
# recordings differ from the first's misses different held-out instances.
# Its pack keeps the default pack's held-out instances and test backgrounds,
# so the benchmark stays held out for both members; its AVE-Net is the
# recipe's AVE stage on that pack, its AVOL-Net the recipe's AVOL stage cut
# to the 3,454 steps that kept it diverse (trained on to 8,000 it missed more
# of what the first misses: docs/runs/ensembles).
if [ "${ENSEMBLE:-0}" = 1 ]; then
  LARGE_PACK="${LARGE_PACK:-out/scenes-scratch.sspack}"
  if [ "$SHIP_ONLY" = 0 ] && [ ! -f "$LARGE_PACK" ]; then
    "$CLI" --threads "$THREADS" pack --out "$LARGE_PACK" --classes docs/runs/scratch-media/object-classes.json \
        --keep-splits-of "$PACK"
  fi
  PACK="$LARGE_PACK" train ave-largest-pack ave contrastive "$AVE_STEPS" --lr 3e-4 --warmup 100
  PACK="$LARGE_PACK" train avol-largest-pack avol contrastive "$ENSEMBLE_AVOL_STEPS" --lr 3e-4 --warmup 100 \
      --init "$RUN/ave-largest-pack" --drop-hardest-pairs 0.25 --weight-average-decay 0.999
  # The first member is the AVOL stage itself (the weights shipped in DEST/avol).
  if [ -f "$RUN/avol/done.json" ] && [ -f "$RUN/avol-largest-pack/done.json" ]; then
    [ -f "$RUN/avol-ensemble/card.json" ] || "$CLI" ensemble --model "$RUN/avol" --model "$RUN/avol-largest-pack" --out "$RUN/avol-ensemble"
  else
    echo "cpu-recipe: ensemble not made yet (needs finished avol and avol-largest-pack stages)"
  fi
  # 9. Distillation (docs/TRAINING-STUDY.md, Distilling the ensemble): the AVOL stage trained
  # on for the same 3,454 steps on the largest pack, matching the ensemble's
  # answers (which audio goes with which frame, and where in the frame) as
  # well as the true pairs: one network, one forward pass per frame. The
  # teacher's answers are softened to temperature 0.2, which passes on how it
  # ranks the wrong answers too (three seeds each: +0.019 held-out pointing
  # against 0.07; docs/TRAINING-STUDY.md, "A softer teacher").
  # Stage 9 is run DISTILL_MODELS times with seeds 1, 2, ... (avol-distilled,
  # avol-distilled-seed2, ...), and the uniform average of their weights,
  # RUN/avol-soup, is shipped: runs from the same start share a basin, and
  # their average stays a working model that answers less by the luck of one
  # seed (docs/TRAINING-STUDY.md, "A soup of stage 9's runs").
  if [ -f "$RUN/avol-ensemble/card.json" ]; then
    members=()
    for seed in $(seq 1 "$DISTILL_MODELS"); do
      stage=avol-distilled; [ "$seed" = 1 ] || stage="avol-distilled-seed$seed"
      PACK="$LARGE_PACK" train "$stage" avol contrastive "$DISTILL_STEPS" --lr 3e-4 --warmup 100 \
          --init "$RUN/avol" --teacher "$RUN/avol-ensemble" --distill-temperature 0.2 --drop-hardest-pairs 0.25 \
          --weight-average-decay 0.999 --seed "$seed"
      [ -f "$RUN/$stage/done.json" ] && members+=("$RUN/$stage")
    done
    if [ "$DISTILL_MODELS" -gt 1 ] && [ "${#members[@]}" = "$DISTILL_MODELS" ] && [ ! -f "$RUN/avol-soup/card.json" ]; then
      python3 training/recipes/average-models.py "$RUN/avol-soup" "${members[@]}"
    fi
    ship  # the distilled AVOL-Net (the soup, or stage 9's one run) replaces stage 5's in DEST/avol
  fi
fi
echo "cpu-recipe: done in $(( $(date +%s) - T0 )) s this session"
