"""The offline demo a newcomer runs first: no token, no network, a whole day of the bot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_without_token_and_writes_the_conversation(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    transcript = (tmp_path / "out" / "transcript.txt").read_text(encoding="utf-8")
    assert "Команда Ромашка создана" in transcript
    assert transcript.count("☀️ План на") == 3, "each of three managers gets one morning prompt"
    assert "• Встречи: «2,5» — нужно целое число" in transcript
    assert "Звонки: 18 из 30 (60 %)" in transcript
    assert "<b>" not in transcript, "markup is rendered as plain text"
    assert "saved in" in result.stdout
    out = tmp_path / "out"
    digest = (out / "digest.txt").read_text(encoding="utf-8")
    forecast = (out / "forecast.txt").read_text(encoding="utf-8")
    assert "Сводка за" in digest and "Анна Смирнова" in digest and "Что мешает" in digest
    assert "Прогноз на конец месяца" in forecast and "Метод:" in forecast
    assert "Рутина руководителя" in forecast
    for chart in ("digest.png", "forecast.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
