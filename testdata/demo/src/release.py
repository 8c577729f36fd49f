import requests

GITHUB_TOKEN = "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"

def publish():
    return requests.post(URL, headers={"Authorization": "token " + GITHUB_TOKEN})
