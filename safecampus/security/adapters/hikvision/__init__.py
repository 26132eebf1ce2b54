"""Hikvision ISAPI: ``parser`` turns an ``EventNotificationAlert`` (XML, JSON or multipart
with pictures) into generic events; ``fixtures/`` holds notifications recorded from real
cameras, NVRs and access controllers. The HTTP listener is ``security.api.hikvision``."""
