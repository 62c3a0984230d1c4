# Every Lianxin service in one image; the argument says which one runs (lianxin/settings.py
# SERVICES). The gateway has its own image (gateway/Dockerfile). Build from the repository root:
#   docker build -t lianxin/service .
#   docker run lianxin/service intake
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# The runner declares every consumer queue of the system before starting (lianxin/bus.py),
# so every service needs the whole services/ package anyway.
COPY lianxin lianxin
COPY services services
COPY config config
ENV PYTHONUNBUFFERED=1
USER nobody
ENTRYPOINT ["python", "-m", "lianxin.runner"]
