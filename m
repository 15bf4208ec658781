Subject: x

y
