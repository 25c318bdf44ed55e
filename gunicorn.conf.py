"""gunicorn reads this file from the working directory (the image's /app, a checkout's root).

The access log goes through geoplatform.logs.GunicornLogger: keys in query strings never reach it."""
logger_class = "geoplatform.logs.GunicornLogger"
