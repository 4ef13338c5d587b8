"""Django's Redis cache backend, without a new client object for every cache call.

Django's `RedisCacheClient.get_client()` builds a `redis.Redis` around the connection pool on
each call; redis-py makes that costly (retry policy, command parser, ...), and a logged-in page
makes several calls (session, user, page parts). One client per pool is enough: a client holds
no per-call state and borrows a connection from the pool for each command.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool
