#!/usr/bin/env bash
# The GPU device check, in two halves:
#   tests/Gpu/run-device-check.sh build   here, with the .NET SDK: publishes the check as a
#                                         self-contained single-file linux-x64 app into tests/Gpu/out
#   tests/Gpu/run-device-check.sh run     on the CUDA machine (no SDK; PyTorch with CUDA): exports
#                                         the zoo's weights, runs torch_zoo.py on them, then the
#                                         check, and prints the markdown table for docs/performance.md
# `run` works from the folder `build` made, wherever it is copied (tests/Gpu/out holds everything).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${DEVICE_CHECK_OUT:-$here/out}"

case "${1:-}" in
  build)
    root="$(cd "$here/../.." && pwd)"
    dotnet publish "$here/DeviceCheck/DeviceCheck.csproj" -c Release -r linux-x64 --self-contained true \
      -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -o "$out"
    cp "$here/torch_zoo.py" "$here/run-device-check.sh" "$out/"
    echo "built $out (copy it to the CUDA machine and run: $out/run-device-check.sh run)"
    ;;
  run)
    # Run from the published folder, or from the repository after `build`.
    app="$here/DeviceCheck"; [ -x "$app" ] || app="$out/DeviceCheck"
    script="$here/torch_zoo.py"
    work="${DEVICE_CHECK_WORK:-$(dirname "$app")/work}"
    mkdir -p "$work"
    "$app" export "$work/zoo"
    torch_json=""
    if python3 -c "import torch" 2>/dev/null; then
      python3 "$script" --dir "$work/zoo" --out "$work/torch.json" && torch_json="$work/torch.json"
    else
      echo "python3 has no torch: the PyTorch columns stay empty"
    fi
    status=0
    "$app" check ${torch_json:+--torch "$torch_json"} --out "$work/device-check.md" || status=$?
    echo "table written to $work/device-check.md"
    exit $status
    ;;
  *)
    echo "usage: $0 build|run" >&2
    exit 2
    ;;
esac
